import Prometheus

/// The metrics Relais publishes at `/metrics`. Descriptors are not Sendable, so each use makes its own.
enum RelaisMetrics {
    static var httpRequests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "relais", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by method and status class.")
    }
    static var httpDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "relais", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time to answer an HTTP request, by method.")
    }
    static var ticketsCreated: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "relais", subsystem: "tickets", metricName: "created", unitName: "total",
            helpText: "Tickets created, by family.")
    }
}
