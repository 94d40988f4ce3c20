import Foundation
import RelaisCore
import Testing

@Suite struct EventTypePatternTests {
    @Test(arguments: [
        ("relais.ticket.created", "relais.ticket.created", true),
        ("relais.ticket.created", "relais.ticket.created2", false),
        ("relais.ticket.*", "relais.ticket.status_changed", true),
        ("relais.ticket.*", "relais.ticket.", true),
        ("relais.ticket.*", "relais.sla.breached", false),
        ("relais.*.breached", "relais.sla.breached", true),
        ("relais.*.breached", "relais.sla.warning", false),
        ("*", "relais.signal.opened", true),
        ("*.opened", "relais.signal.opened", true),
        ("relais.*.*ed", "relais.signal.closed", true),
        ("relais.*.*ed", "relais.signal.open", false),
        ("a*a", "a", false),
        ("a*a", "aa", true),
    ])
    func matches(pattern: String, type: String, expected: Bool) throws {
        let compiled = try #require(EventTypePattern(pattern))
        #expect(compiled.matches(type) == expected)
    }

    @Test(arguments: ["", "Relais.Ticket.*", "relais ticket", "relais.ticket.?", String(repeating: "a", count: 201)])
    func refusesWhatIsNotAPattern(text: String) {
        #expect(EventTypePattern(text) == nil)
    }
}

@Suite struct RetryScheduleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func standardLadderSpansAboutThreeDays() {
        let total = RetrySchedule.standard.delays.reduce(0, +)
        #expect(total > 2.5 * 86_400 && total < 3.5 * 86_400)
        #expect(RetrySchedule.standard.attempts == RetrySchedule.standard.delays.count + 1)
        #expect(RetrySchedule.standard.delays == RetrySchedule.standard.delays.sorted())
    }

    @Test func jitterStaysWithinItsFraction() throws {
        let schedule = RetrySchedule(delays: [100, 1_000], jitter: 0.2)
        let low = try #require(schedule.nextAttempt(after: 1, at: now, random: 0))
        let high = try #require(schedule.nextAttempt(after: 1, at: now, random: 0.999_999))
        let middle = try #require(schedule.nextAttempt(after: 2, at: now, random: 0.5))
        #expect(abs(low.timeIntervalSince(now) - 80) < 0.001)
        #expect(abs(high.timeIntervalSince(now) - 120) < 0.01)
        #expect(abs(middle.timeIntervalSince(now) - 1_000) < 0.001)
    }

    @Test func lastTryHasNoNext() {
        let schedule = RetrySchedule(delays: [1, 2])
        #expect(schedule.nextAttempt(after: 2, at: now, random: 0.5) != nil)
        #expect(schedule.nextAttempt(after: 3, at: now, random: 0.5) == nil)
        #expect(schedule.nextAttempt(after: 0, at: now, random: 0.5) == nil)
    }

    @Test func retryAfterReplacesTheLadderUpToADay() throws {
        let schedule = RetrySchedule(delays: [5, 5])
        let next = try #require(schedule.nextAttempt(after: 1, at: now, random: 0.9, retryAfter: 120))
        #expect(next == now.addingTimeInterval(120))
        let capped = try #require(schedule.nextAttempt(after: 1, at: now, random: 0.9, retryAfter: 9_999_999))
        #expect(capped == now.addingTimeInterval(RetrySchedule.longestRetryAfter))
    }
}

@Suite struct DeliveryOutcomeTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [200, 201, 202, 204, 299])
    func twoHundredsAreDelivered(status: Int) {
        #expect(DeliveryOutcome.classify(status: status, now: now) == .delivered)
    }

    @Test(arguments: [301, 400, 401, 404, 500, 502])
    func othersAreRetriedWithoutWaitingLonger(status: Int) {
        #expect(DeliveryOutcome.classify(status: status, retryAfter: "30", now: now) == .failed(reason: "HTTP \(status)", retryAfter: nil))
    }

    @Test func goneDisables() {
        #expect(DeliveryOutcome.classify(status: 410, now: now) == .gone)
    }

    @Test func tooManyAndUnavailableHonourRetryAfter() {
        #expect(DeliveryOutcome.classify(status: 429, retryAfter: "17", now: now) == .failed(reason: "HTTP 429", retryAfter: 17))
        // `now` is 2027-01-15 08:00:00 UTC; an HTTP date 90 seconds later.
        let date = "Fri, 15 Jan 2027 08:01:30 GMT"
        #expect(DeliveryOutcome.classify(status: 503, retryAfter: date, now: now) == .failed(reason: "HTTP 503", retryAfter: 90))
        #expect(DeliveryOutcome.classify(status: 503, retryAfter: "soon", now: now) == .failed(reason: "HTTP 503", retryAfter: nil))
        #expect(DeliveryOutcome.classify(status: 429, retryAfter: "-3", now: now) == .failed(reason: "HTTP 429", retryAfter: nil))
    }

    @Test func transportErrorsAreRetried() {
        #expect(
            DeliveryOutcome.classify(status: nil, error: "connection refused", now: now) == .failed(reason: "connection refused", retryAfter: nil))
    }
}

@Suite struct WebhookTargetTests {
    @Test(arguments: [
        "https://hooks.example.com/relais", "http://203.0.114.10:8080/in", "https://[2606:4700::1111]/hook",
    ])
    func publicTargetsAreAccepted(url: String) {
        #expect(EgressTarget.problem(url: url, allowPrivate: false) == nil)
    }

    @Test(arguments: [
        "http://localhost:9000/", "http://api.localhost/", "http://127.0.0.1/", "http://127.8.9.1/", "http://10.1.2.3/",
        "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/", "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fd12:3456::1]/",
        "http://[fe80::1]/", "http://224.0.0.1/", "http://[64:ff9b::a00:1]/",
    ])
    func privateTargetsAreRefusedUnlessAllowed(url: String) throws {
        let problem = try #require(EgressTarget.problem(url: url, allowPrivate: false))
        #expect(problem.contains("private network"))
        #expect(EgressTarget.problem(url: url, allowPrivate: true) == nil)
    }

    @Test(arguments: [
        ("ftp://example.com/x", "scheme"), ("example.com/hook", "absolute"), ("https://user:pw@example.com/", "credentials"),
        ("https://example.com/#part", "fragment"), ("https:///path", "host"),
    ])
    func malformedTargetsAreNamed(url: String, words: String) throws {
        let problem = try #require(EgressTarget.problem(url: url, allowPrivate: true))
        #expect(problem.contains(words))
    }

    @Test func addressesParse() {
        #expect(NetworkAddress.ipv4("192.168.0.1") == [192, 168, 0, 1])
        #expect(NetworkAddress.ipv4("256.1.1.1") == nil)
        #expect(NetworkAddress.ipv4("1.2.3") == nil)
        #expect(NetworkAddress.ipv6("::1") == Array(repeating: 0, count: 15) + [1])
        #expect(NetworkAddress.ipv6("2001:db8::8:800:200c:417a") == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a])
        #expect(NetworkAddress.ipv6("::ffff:10.0.0.1") == Array(repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 1])
        #expect(NetworkAddress.ipv6("1::2::3") == nil)
        #expect(NetworkAddress.ipv6("12345::") == nil)
        #expect(NetworkAddress.ipv6("1:2:3:4:5:6:7:8:9") == nil)
        #expect(NetworkAddress.isPrivate(host: "hooks.example.com") == nil)
        #expect(NetworkAddress.isPrivate(host: "8.8.8.8") == false)
    }
}
