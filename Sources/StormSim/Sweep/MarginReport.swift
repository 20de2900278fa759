/// What `stormsim margin` writes: the margin in words, `margin.json`, `curve.csv` and a gnuplot script.
public struct MarginReport {
    public var scenario: String
    public var trigger: Margin.Trigger
    public var scale: Margin.Scale
    public var replications: Int
    public var curves: [(variant: String, curve: Margin.Curve)]

    public init(scenario: String, trigger: Margin.Trigger, scale: Margin.Scale, replications: Int, curves: [(variant: String, curve: Margin.Curve)]) {
        self.scenario = scenario
        self.trigger = trigger
        self.scale = scale
        self.replications = replications
        self.curves = curves
    }

    /// Significant digits for sizes: three, or as many as the finest bisection needs to tell its points apart.
    var digits: Int {
        let sizes = curves.flatMap { $0.curve.points.map(\.size) }
        for d in 3...8 {
            let labels = sizes.map { VariantExpansion.roundSignificant($0, digits: d) }
            if Set(labels).count == Set(sizes).count { return d }
        }
        return 8
    }

    /// A size as the sentences write it: "7.5 s", "x2.4", "0.3".
    public func size(_ x: Double) -> String {
        let r = NumberFormat.shortest(VariantExpansion.roundSignificant(x, digits: digits))
        switch scale {
        case .duration: return r + " s"
        case .magnitude: return trigger.magnitudeIsFactor ? "x" + r : r
        }
    }

    /// The margin of one curve in words.
    public func sentence(_ curve: Margin.Curve) -> String {
        let thing = scale == .duration
            ? "\(trigger.what)\(trigger.magnitude.map { " (\(trigger.magnitudeIsFactor ? "x" : "")\(NumberFormat.shortest($0)))" } ?? "") lasting"
            : "\(trigger.what) (for \(NumberFormat.shortest(trigger.duration)) s) of"
        if curve.downAtSmallest, let first = curve.points.first {
            return "stays down even at \(size(first.size)) (recovered in \(first.recovered) of \(first.n))"
        }
        guard let t = curve.tipping else {
            let last = curve.points.last
            return "recovers from \(thing) up to \(last.map { size($0.size) } ?? "?"), the largest tried (P(recovered) \(last.map { NumberFormat.rounded($0.p, digits: 2) } ?? "?"))"
        }
        var text = "survives \(thing) up to \(size(t.estimate)) [\(size(t.low)), \(size(t.high))]"
        if let down = curve.points.first(where: { $0.size >= t.high && $0.p < 0.5 }) {
            text += "; at \(size(down.size)) it stays down \(Int(((1 - down.p) * 100).rounded()))% of the time"
        }
        return text
    }

    public var text: String {
        var out = "\(scenario): how large \(trigger.what) (\(NumberFormat.shortest(trigger.from.seconds))-\(NumberFormat.shortest(trigger.to.seconds)) s) can grow in \(scale.rawValue) before the system stays down; \(replications) replications a size\n\n"
        let width = curves.map(\.variant.count).max() ?? 0
        for (variant, curve) in curves {
            out += (curves.count > 1 ? variant.padding(toLength: width, withPad: " ", startingAt: 0) + "  " : "") + sentence(curve) + "\n"
        }
        if curves.count > 1 {
            let ranked = curves.filter { $0.curve.tipping != nil || !$0.curve.downAtSmallest }.sorted { a, b in
                (a.curve.tipping?.estimate ?? .infinity) > (b.curve.tipping?.estimate ?? .infinity)
            }
            if let best = ranked.first { out += "\nThe widest margin: \(best.variant).\n" }
        }
        out += "\nSTABILITY CURVE (size: recovered of \(replications), P(recovered) [95% Wilson interval])\n"
        for (variant, curve) in curves {
            if curves.count > 1 { out += "  \(variant)\n" }
            for p in curve.points {
                let i = p.interval
                out += "    \(size(p.size)): \(p.recovered) of \(p.n), \(NumberFormat.rounded(p.p, digits: 2)) [\(NumberFormat.rounded(i.low, digits: 2)), \(NumberFormat.rounded(i.high, digits: 2))]\n"
            }
        }
        return out
    }

    static func number(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }

    func curveJSON(_ curve: Margin.Curve) -> [JSONMember] {
        let tipping: JSONValue = curve.tipping.map { t in
            .object([JSONMember(key: "estimate", value: Self.number(t.estimate)), JSONMember(key: "low", value: Self.number(t.low)),
                     JSONMember(key: "high", value: Self.number(t.high))])
        } ?? .null
        let points: [JSONValue] = curve.points.map { p in
            .object([
                JSONMember(key: "size", value: .number(p.size)), JSONMember(key: "recovered", value: .number(Double(p.recovered))),
                JSONMember(key: "replications", value: .number(Double(p.n))), JSONMember(key: "p", value: Self.number(p.p)),
                JSONMember(key: "low", value: Self.number(p.interval.low)), JSONMember(key: "high", value: Self.number(p.interval.high)),
            ])
        }
        return [JSONMember(key: "tipping", value: tipping), JSONMember(key: "curve", value: .array(points)),
                JSONMember(key: "margin", value: .string(sentence(curve)))]
    }

    /// `margin.json`: the first variant's tipping and curve at the top, every variant's under `variants`.
    public var json: JSONValue {
        var members = [
            JSONMember(key: "scenario", value: .string(scenario)),
            JSONMember(key: "trigger", value: .object([
                JSONMember(key: "what", value: .string(trigger.what)), JSONMember(key: "from_s", value: .number(trigger.from.seconds)),
                JSONMember(key: "to_s", value: .number(trigger.to.seconds)), JSONMember(key: "magnitude", value: trigger.magnitude.map { .number($0) } ?? .null),
            ])),
            JSONMember(key: "scale", value: .string(scale.rawValue)),
            JSONMember(key: "unit", value: .string(scale == .duration ? "s" : (trigger.magnitudeIsFactor ? "factor" : "fraction"))),
            JSONMember(key: "replications", value: .number(Double(replications))),
        ]
        if let first = curves.first { members += curveJSON(first.curve) }
        members.append(JSONMember(key: "variants", value: .array(curves.map { .object([JSONMember(key: "variant", value: .string($0.variant))] + curveJSON($0.curve)) })))
        return .object(members)
    }

    /// `curve.csv`: variant, size, recovered, replications, p_recovered, low, high.
    public var table: CSVTable {
        var t = CSVTable(header: ["variant", scale == .duration ? "duration_s" : "magnitude", "recovered", "replications", "p_recovered", "p_low", "p_high"])
        for (variant, curve) in curves {
            for p in curve.points {
                t.append([.text(variant), .number(p.size), .integer(p.recovered), .integer(p.n), .number(p.p), .number(p.interval.low), .number(p.interval.high)])
            }
        }
        return t
    }
}

import Foundation
