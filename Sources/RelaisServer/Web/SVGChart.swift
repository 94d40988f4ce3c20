import Foundation
import RelaisCore

/// Charts drawn on the server as SVG, put in pages as they are: no script, no library, readable
/// without styles. Every text placed in one is escaped here.
enum SVGChart {
    static let palette = ["#1f5fbf", "#e07b39", "#2e9e6b", "#b8418e", "#7a5cc2", "#c9a227", "#3aa6b9", "#8c564b"]
    static let margin = (left: 48.0, right: 12.0, top: 12.0, bottom: 40.0)

    /// Bars per category (a week, a band), one stacked segment per series.
    static func stackedBars(
        title: String, categories: [String], series: [(name: String, values: [Double])],
        width: Double = 640, height: Double = 260
    ) -> String {
        let totals = categories.indices.map { index in series.reduce(0) { $0 + ($1.values[safe: index] ?? 0) } }
        let scale = Scale(maximum: totals.max() ?? 0)
        var svg = open(title, width: width, height: height + 22 * Double((series.count + 3) / 4))
        svg += axis(scale, width: width, height: height)
        let plotWidth = width - margin.left - margin.right
        let step = plotWidth / Double(max(categories.count, 1))
        let barWidth = max(2, step * 0.7)
        for (index, category) in categories.enumerated() {
            var base = 0.0
            let x = margin.left + step * Double(index) + (step - barWidth) / 2
            for (number, line) in series.enumerated() {
                let value = line.values[safe: index] ?? 0
                guard value > 0 else { continue }
                let top = y(base + value, scale, height), bottom = y(base, scale, height)
                svg +=
                    ##"<rect x="\##(f(x))" y="\##(f(top))" width="\##(f(barWidth))" height="\##(f(bottom - top))" fill="\##(color(number))"><title>\##(Markup.escape("\(category) · \(line.name): \(Int(value))"))</title></rect>"##
                base += value
            }
            if categories.count <= 16 || index % 2 == 0 {
                svg += text(category, x: x + barWidth / 2, y: height - margin.bottom + 16, anchor: "middle", size: 10)
            }
        }
        svg += legend(series.map(\.name), top: height, width: width)
        return svg + "</svg>"
    }

    /// A line of values over categories, each point marked with its value on hover.
    static func line(title: String, categories: [String], values: [Double], width: Double = 640, height: Double = 220) -> String {
        let scale = Scale(maximum: values.max() ?? 0)
        var svg = open(title, width: width, height: height) + axis(scale, width: width, height: height)
        let plotWidth = width - margin.left - margin.right
        let step = plotWidth / Double(max(values.count, 1))
        let points = values.enumerated().map { (margin.left + step * (Double($0.offset) + 0.5), y($0.element, scale, height)) }
        svg +=
            ##"<polyline fill="none" stroke="\##(palette[0])" stroke-width="2" points="\##(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))"/>"##
        for (index, point) in points.enumerated() {
            svg +=
                ##"<circle cx="\##(f(point.0))" cy="\##(f(point.1))" r="3" fill="\##(palette[0])"><title>\##(Markup.escape("\(categories[safe: index] ?? ""): \(Int(values[index]))"))</title></circle>"##
            if categories.count <= 16 || index % 2 == 0 {
                svg += text(categories[safe: index] ?? "", x: point.0, y: height - margin.bottom + 16, anchor: "middle", size: 10)
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars of shares (0 to 1), each labelled with its percentage.
    static func shares(title: String, items: [(label: String, share: Double, detail: String)], width: Double = 640) -> String {
        let row = 26.0, labelWidth = 150.0
        let height = Double(items.count) * row + 10
        var svg = open(title, width: width, height: height)
        let barSpace = width - labelWidth - 70
        for (index, item) in items.enumerated() {
            let top = 5 + Double(index) * row
            let share = min(max(item.share, 0), 1)
            svg += text(item.label, x: labelWidth - 8, y: top + 15, anchor: "end", size: 12)
            svg += ##"<rect x="\##(f(labelWidth))" y="\##(f(top + 3))" width="\##(f(barSpace))" height="16" fill="#e8edf5"/>"##
            svg +=
                ##"<rect x="\##(f(labelWidth))" y="\##(f(top + 3))" width="\##(f(barSpace * share))" height="16" fill="\##(share >= 0.9 ? "#2e9e6b" : share >= 0.75 ? "#c9a227" : "#c0392b")"><title>\##(Markup.escape(item.detail))</title></rect>"##
            svg += text(String(format: "%.0f %%", share * 100), x: labelWidth + barSpace + 8, y: top + 15, anchor: "start", size: 12)
        }
        return svg + "</svg>"
    }

    /// Points of two measures, the horizontal one on a logarithmic scale when it spans decades.
    static func scatter(
        title: String, points: [(label: String, x: Double, y: Double)], xName: String, yName: String,
        width: Double = 640, height: Double = 300
    ) -> String {
        let positive = points.filter { $0.x > 0 }
        let xs = positive.map(\.x)
        let logarithmic = (xs.max() ?? 1) / max(xs.min() ?? 1, 1) > 100
        func xValue(_ value: Double) -> Double { logarithmic ? log10(value) : value }
        let low = logarithmic ? floor(xValue(xs.min() ?? 1)) : 0
        let high = max(xValue(xs.max() ?? 1), low + 1)
        let scale = Scale(maximum: points.map(\.y).max() ?? 0)
        var svg = open(title, width: width, height: height) + axis(scale, width: width, height: height)
        let plotWidth = width - margin.left - margin.right
        svg += ##"<g fill="\##(palette[0])" fill-opacity="0.65">"##
        for point in positive {
            let x = margin.left + (xValue(point.x) - low) / (high - low) * plotWidth
            svg +=
                ##"<circle cx="\##(Int(x))" cy="\##(Int(y(point.y, scale, height)))" r="4"><title>\##(Markup.escape("\(point.label): \(compact(point.x)) · \(Int(point.y))"))</title></circle>"##
        }
        svg += "</g>"
        if logarithmic {
            for power in Int(low)...Int(ceil(high)) {
                let x = margin.left + (Double(power) - low) / (high - low) * plotWidth
                guard x <= width - margin.right + 1 else { continue }
                svg += text(compact(pow(10, Double(power))), x: x, y: height - margin.bottom + 16, anchor: "middle", size: 10)
            }
        }
        svg += text(xName + (logarithmic ? " (log)" : ""), x: width - margin.right, y: height - 6, anchor: "end", size: 11)
        svg += text(yName, x: 4, y: margin.top - 2, anchor: "start", size: 11)
        return svg + "</svg>"
    }

    // MARK: drawing

    /// A value axis rounded up to a readable maximum with four steps.
    struct Scale {
        let maximum: Double
        let step: Double
        init(maximum: Double) {
            let raw = max(maximum, 1) / 4
            let magnitude = pow(10, floor(log10(raw)))
            let nice = [1.0, 2, 2.5, 5, 10].first { $0 * magnitude >= raw } ?? 10
            step = max(1, nice * magnitude)
            self.maximum = step * 4
        }
    }

    static func y(_ value: Double, _ scale: Scale, _ height: Double) -> Double {
        let plot = height - margin.top - margin.bottom
        return margin.top + plot * (1 - value / scale.maximum)
    }

    static func axis(_ scale: Scale, width: Double, height: Double) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = scale.step * Double(tick)
            let top = y(value, scale, height)
            svg += ##"<line x1="\##(f(margin.left))" x2="\##(f(width - margin.right))" y1="\##(f(top))" y2="\##(f(top))" stroke="#e3e7ee"/>"##
            svg += text(compact(value), x: margin.left - 6, y: top + 4, anchor: "end", size: 10)
        }
        return svg
    }

    static func legend(_ names: [String], top: Double, width: Double) -> String {
        var svg = ""
        let column = (width - margin.left) / 4
        for (index, name) in names.enumerated() {
            let x = margin.left + column * Double(index % 4), y = top + 4 + 20 * Double(index / 4)
            svg += ##"<rect x="\##(f(x))" y="\##(f(y))" width="10" height="10" fill="\##(color(index))"/>"##
            svg += text(name, x: x + 14, y: y + 9, anchor: "start", size: 11)
        }
        return svg
    }

    static func open(_ title: String, width: Double, height: Double) -> String {
        ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(f(width)) \##(f(height))" width="100%" role="img" aria-label="\##(Markup.escape(title))" font-family="system-ui, sans-serif"><title>\##(Markup.escape(title))</title>"##
    }

    static func text(_ value: String, x: Double, y: Double, anchor: String, size: Int) -> String {
        ##"<text x="\##(f(x))" y="\##(f(y))" text-anchor="\##(anchor)" font-size="\##(size)" fill="#4a5468">\##(Markup.escape(value))</text>"##
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func compact(_ value: Double) -> String {
        switch value {
        case 1_000_000_000...: String(format: "%gG", (value / 1e9 * 10).rounded() / 10)
        case 1_000_000...: String(format: "%gM", (value / 1e6 * 10).rounded() / 10)
        case 10_000...: String(format: "%gk", (value / 1e3 * 10).rounded() / 10)
        default: String(format: "%g", value)
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
