/// Reading a results folder for `PlotScript`: run.json, summary.csv and the time series, every value checked (a
/// folder may come from anyone), and what the panels need to know about them.
extension PlotScript {
    static func load(_ results: String, read: (String) -> [UInt8]?) throws(PlotError) -> Run {
        guard let data = read("run.json"),
            let json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)),
            case .string(let scenario)? = json["scenario"], case .number(let replications)? = json["replications"],
            case .number(let interval)? = json["interval_s"], case .string(let target)? = json["target"],
            case .array(let variedItems)? = json["varied"], case .array(let variantItems)? = json["variants"],
            case .array(let triggerItems)? = json["triggers"]
        else {
            throw PlotError(message: "\(results): not a results folder of 'stormsim run' (no readable run.json)")
        }
        // run.json may come from anyone (a downloaded CI artifact): check every value the script relies on.
        func bad(_ what: String) -> PlotError { PlotError(message: "\(results)/run.json: \(what); not a results folder written by stormsim, or tampered with") }
        guard replications == replications.rounded(), replications >= 1, replications <= 1e6 else {
            throw bad("replications is \(NumberFormat.shortest(replications)), expected an integer from 1 to 1000000")
        }
        guard interval > 0, interval <= 1e9 else { throw bad("interval_s is \(NumberFormat.shortest(interval)), expected a positive number of seconds") }
        guard FileSafeName.problem(scenario) == nil, FileSafeName.problem(target, allowDots: false) == nil else {
            throw bad("the scenario or target name is not a name stormsim writes (letters, digits, '-' and '_')")
        }
        for item in variantItems {
            guard case .string(let name)? = item["name"], FileSafeName.problem(name) == nil else {
                throw bad("a variant name is not a file name stormsim writes (letters, digits, '.', '-' and '_')")
            }
        }
        guard let summary = read("summary.csv"),
            let header = String(decoding: summary, as: UTF8.self).split(separator: "\n").first
        else { throw PlotError(message: "\(results)/summary.csv: missing") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var hasLatency = false
        if let p99 = columns.firstIndex(of: SummaryMetric.latencyP99.rawValue) {
            for line in String(decoding: summary, as: UTF8.self).split(separator: "\n").dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                // Latencies of 0 (no network, no work: a message queue's sends) cannot go on a log scale.
                if p99 < cells.count, let v = Double(cells[p99]), v > 0 { hasLatency = true }
            }
        }
        let services = columns.compactMap { c -> String? in
            let name = ServiceMetric.amplification.rawValue
            for suffix in ["_" + name, "_\(name)_mean"] where c.hasSuffix(suffix) && c != name && c != name + "_mean" {
                return String(c.dropLast(suffix.count))
            }
            return nil
        }
        let strings = { (items: [JSONValue]) in items.compactMap { if case .string(let s) = $0 { return s } else { return nil } } }
        let variants: [(String, [String])] = variantItems.compactMap { item in
            guard case .string(let name)? = item["name"], case .array(let values)? = item["values"] else { return nil }
            return (name, strings(values))
        }
        let triggers: [(Double, Double, String)] = triggerItems.compactMap { item in
            guard case .number(let from)? = item["from_s"], case .number(let to)? = item["to_s"], case .string(let what)? = item["what"] else { return nil }
            return (from, to, what)
        }
        var lastActive = 0.0, end = 0.0
        var hasBudgetTokens = false, hasBreaker = false
        var seriesBytes: [(name: String, bytes: [UInt8])] = []
        var failing: Set<String> = []
        var sameAs: [String: String] = [:]
        var hasOutOfPicks = false, hasLimits = false, hasDown = false, hasHits = false, hasInstances = false, isMessageQueue = false, instanceColumns = 0
        for (name, _) in variants.prefix(16) {
            guard let series = read("timeseries/\(name).csv") else { continue }
            if let twin = seriesBytes.first(where: { $0.bytes == series }) { sameAs[name] = twin.name } else { seriesBytes.append((name, series)) }
            let lines = String(decoding: series, as: UTF8.self).split(separator: "\n")
            guard let head = lines.first?.split(separator: ",", omittingEmptySubsequences: false),
                let attempts = head.firstIndex(of: Substring(SeriesMetric.attempts.rawValue))
            else { continue }
            if name == variants.first?.0 {
                while head.contains(Substring(OutputColumns.instanceColumn(service: target, instance: instanceColumns))) { instanceColumns += 1 }
            }
            let out = head.firstIndex(of: Substring(ServiceSeriesMetric.outOfPicks.column(target)))
            let limitColumn = head.firstIndex(of: Substring(ServiceSeriesMetric.limit.column(target)))
            let downColumn = head.firstIndex(of: Substring(ServiceSeriesMetric.down.column(target)))
            let hitsColumn = head.firstIndex(of: Substring(ServiceSeriesMetric.hits.column(target)))
            let servingColumn = head.firstIndex(of: Substring(ServiceSeriesMetric.instances.column(target)))
            let ageColumn = head.firstIndex(of: Substring(ServiceSeriesMetric.oldestAge.column(target)))
            let causeColumns = [SeriesMetric.timeouts, .rejected, .errors, .throttled, .fastFailed, .budgetRefused].compactMap {
                head.firstIndex(of: Substring($0.rawValue))
            }
            let tokensColumn = head.firstIndex(of: Substring(SeriesMetric.budgetTokens.rawValue))
            let breakerColumn = head.firstIndex(of: Substring(SeriesMetric.breakerOpen.rawValue))
            for line in lines.dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                if let out, out < cells.count, !cells[out].isEmpty { hasOutOfPicks = true }
                if let limitColumn, limitColumn < cells.count, !cells[limitColumn].isEmpty { hasLimits = true }
                if let downColumn, downColumn < cells.count, !cells[downColumn].isEmpty { hasDown = true }
                if let hitsColumn, hitsColumn < cells.count, !cells[hitsColumn].isEmpty { hasHits = true }
                if let servingColumn, servingColumn < cells.count, !cells[servingColumn].isEmpty { hasInstances = true }
                if let ageColumn, ageColumn < cells.count, !cells[ageColumn].isEmpty { isMessageQueue = true }
                if causeColumns.contains(where: { $0 < cells.count && (Double(cells[$0]) ?? 0) > 0 }) { failing.insert(name) }
                if let tokensColumn, tokensColumn < cells.count, !cells[tokensColumn].isEmpty { hasBudgetTokens = true }
                if let breakerColumn, breakerColumn < cells.count, !cells[breakerColumn].isEmpty { hasBreaker = true }
                guard let t = Double(cells[0]) else { continue }
                end = max(end, t + interval)
                if attempts < cells.count, let a = Double(cells[attempts]), a > 0 { lastActive = max(lastActive, t + interval) }
            }
        }
        for t in triggers { lastActive = max(lastActive, t.1) }  // keep the whole fault window in view
        let limit = lastActive * 1.1 + interval
        let timeRange = lastActive > 0 && limit < 0.8 * end ? "set xrange [0:\(NumberFormat.shortest((limit * 1000).rounded() / 1000))]\n" : ""
        var run = Run(
            scenario: scenario, replications: Int(replications), interval: interval, target: target, varied: strings(variedItems),
            variants: variants, triggers: triggers, summaryColumns: columns, hasLatency: hasLatency, services: services,
            timeRange: timeRange)
        run.hasOutOfPicks = hasOutOfPicks
        run.hasLimits = hasLimits
        run.hasDown = hasDown
        run.hasHits = hasHits
        run.hasInstances = hasInstances
        run.isMessageQueue = isMessageQueue
        run.instanceColumns = instanceColumns
        run.hasBudgetTokens = hasBudgetTokens
        run.hasBreaker = hasBreaker
        run.sameAs = sameAs
        run.failing = failing
        if case .number(let d)? = json["duration_s"], d > 0, d <= 1e12 { run.duration = d }
        // The makespan panel only when some variant's last request finished before the last 5% of the run.
        let makespanColumn = columns.firstIndex(of: SummaryMetric.makespan.rawValue) ?? columns.firstIndex(of: SummaryMetric.makespan.rawValue + "_mean")
        if let m = makespanColumn, run.duration > 0 {
            run.hasMakespan = String(decoding: summary, as: UTF8.self).split(separator: "\n").dropFirst().contains { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                return m < cells.count && (Double(cells[m]).map { $0 < 0.95 * run.duration } ?? false)
            }
        }
        if instanceColumns > 0, let table = read("instances.csv") {
            // The variant whose instances' attempts differ most.
            var spread: [String: (low: Double, high: Double)] = [:]
            var order: [String] = []
            for line in String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                guard cells.count > 4, cells[2] == Substring(target), let attempts = Double(cells[4]) else { continue }
                let variant = String(cells[1])
                if spread[variant] == nil { order.append(variant) }
                let old = spread[variant] ?? (attempts, attempts)
                spread[variant] = (min(old.low, attempts), max(old.high, attempts))
            }
            run.unevenVariant = order.max { spread[$0]!.high - spread[$0]!.low < spread[$1]!.high - spread[$1]!.low }
        }
        return run
    }
}
