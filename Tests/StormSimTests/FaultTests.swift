import Testing

@testable import StormSim

/// Each fault type changes exactly its window, and nothing outside it.
@Suite struct FaultTests {
    /// 200 requests/s, no retries, a service far from saturation; one fault from 10 s to 20 s.
    func run(_ fault: String, timeout: String = "none") throws -> RunResult {
        try Runner.run(scenario("""
            { "name": "f", "duration": "30s",
              "clients": { "count": 200, "target": "s", "arrival": { "type": "poisson", "rate": 1 }, "policy": { "timeout": "\(timeout)" } },
              "services": [ { "name": "s", "workers": 20, "serviceTime": { "dist": "constant", "value": "10ms" },
                              "faults": [ \(fault) ] } ] }
            """))
    }

    func column(_ r: RunResult, _ name: String) -> [Double] {
        let c = r.timeSeries.header.firstIndex(of: name)!
        return r.timeSeries.rows.map { Double($0[c]) ?? .nan }
    }

    let inside = 10..<20

    @Test func outageAnsweringErrors() throws {
        let r = try run(#"{ "type": "outage", "from": "10s", "to": "20s", "answer": "error" }"#)
        let errors = column(r, "errors"), requests = column(r, "requests")
        for row in 0..<30 {
            if inside.contains(row) { #expect(errors[row] == requests[row], "row \(row)") } else { #expect(errors[row] == 0, "row \(row)") }
        }
    }

    @Test func outageNeverAnswering() throws {
        let r = try run(#"{ "type": "outage", "from": "10s", "to": "20s", "answer": "never" }"#, timeout: "500ms")
        let timeouts = column(r, "timeouts")
        // Attempts sent in [10, 20) time out 0.5 s later: in rows 10 to 20.
        for row in 0..<30 where !(10...20).contains(row) { #expect(timeouts[row] == 0, "row \(row)") }
        #expect(timeouts[11...19].allSatisfy { $0 > 150 })
        #expect(r.value("unfinished")! < 10)  // nothing hangs: swallowed attempts are freed by their timeouts
    }

    @Test func capacityDrop() throws {
        let r = try run(#"{ "type": "capacity", "from": "10s", "to": "20s", "workers": 1 }"#)
        let utilization = column(r, "s_utilization"), queue = column(r, "s_queue_length")
        // 200/s x 10 ms = 2 busy workers on average: 10% of 20 outside; with 1 worker the load is 2x its capacity,
        // so it is always busy (5% of the nominal 20 workers) and the queue grows.
        for row in 1..<9 { #expect(utilization[row] > 0.07 && utilization[row] < 0.13, "row \(row)") }
        for row in 11..<20 { #expect(utilization[row] > 0.049 && utilization[row] <= 0.05 + 1e-9, "row \(row)") }
        #expect(queue[19] > 500)
        for row in 0..<10 { #expect(queue[row] < 1, "row \(row)") }
    }

    @Test func slowdown() throws {
        let r = try run(#"{ "type": "slowdown", "from": "10s", "to": "20s", "factor": 3 }"#)
        let latency = column(r, "latency_mean_ms")
        for row in 0..<30 {
            let expected = inside.contains(row) && row > 10 ? 30.0 : 10.0
            if row == 10 || row == 20 { continue }  // edges mix both
            #expect(abs(latency[row] - expected) < 1.5, "row \(row): \(latency[row])")
        }
    }

    @Test func errorRateChange() throws {
        let r = try run(#"{ "type": "errorRate", "from": "10s", "to": "20s", "errorRate": 0.5 }"#)
        let errors = column(r, "errors")
        let insideErrors = inside.reduce(0) { $0 + errors[$1] }
        #expect(errors.enumerated().allSatisfy { inside.contains($0.offset) || $0.offset == 20 || $0.element == 0 })
        #expect(abs(insideErrors / 2000 - 0.5) < 0.05)  // 2,000 requests: sd 0.011
    }

    @Test func overlappingFaultsCombine() {
        var s = ServiceState(
            config: Service(name: "s", workers: 10, queueCapacity: 1, serviceTime: .constant(value: .zero), errorRate: 0.1),
            instances: 0..<1, streams: RandomStreams(seed: 1), columns: .forService(0, attemptColumns: 1),
            series: TimeSeries(interval: .seconds(1), end: .seconds(1), columns: 30))
        s.config.faults = [
            Fault(from: .zero, to: .seconds(1), effect: .capacity(workers: 4)),
            Fault(from: .zero, to: .seconds(1), effect: .capacity(workers: 6)),
            Fault(from: .zero, to: .seconds(1), effect: .slowdown(factor: 2)),
            Fault(from: .zero, to: .seconds(1), effect: .slowdown(factor: 3)),
            Fault(from: .zero, to: .seconds(1), effect: .errorRate(0.05)),
        ]
        let series = TimeSeries(interval: .seconds(1), end: .seconds(1), columns: 30)
        var instance = InstanceState(s.config, columns: .forService(0, attemptColumns: 1), series: series)
        s.activeFaults = [true, true, true, true, true]
        s.applyFaults(to: &instance, position: 0)
        #expect(instance.workersNow == 4 && instance.slowdown == 6 && instance.errorRateNow == 0.1 && instance.outageAnswered == nil)
        s.activeFaults = [false, false, false, false, false]
        s.applyFaults(to: &instance, position: 0)
        #expect(instance.workersNow == 10 && instance.slowdown == 1)
        // A fault aimed at other instances leaves this one alone.
        s.config.faults[0].instances = [1]
        s.activeFaults = [true, false, false, false, false]
        s.applyFaults(to: &instance, position: 0)
        #expect(instance.workersNow == 10)
        s.applyFaults(to: &instance, position: 1)
        #expect(instance.workersNow == 4)
    }
}
