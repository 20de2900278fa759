import Testing

@testable import StormSim

/// `--trace` options: which requests are followed, and every hop of them.
@Suite struct TraceTests {
    /// clients -> api -> db with db down (answering 503 at once) from 5 s to 10 s; 200 requests/s, two attempts.
    func chain(instances: Int = 1) throws -> Variant {
        let s = try scenario("""
            { "name": "t", "duration": "20s", "network": {"latency": {"dist": "constant", "value": "1ms"}},
              "clients": { "count": 100, "target": "api", "arrival": { "type": "poisson", "rate": 2 },
                           "policy": { "timeout": "1s", "maxAttempts": 2 } },
              "services": [
                { "name": "api", "workers": 20, "instances": \(instances), "serviceTime": { "dist": "exponential", "mean": "5ms" },
                  "calls": "db", "policy": { "timeout": "500ms" } },
                { "name": "db", "workers": 10, "serviceTime": { "dist": "exponential", "mean": "10ms" },
                  "faults": [ { "type": "outage", "from": "5s", "to": "10s", "answer": "error" } ] } ] }
            """)
        return Variant(name: "base", parameters: [], scenario: s)
    }

    /// Each traced request's first step (its first send by the clients).
    func starts(_ trace: [TraceEvent]) -> [Int: Double] {
        var first: [Int: Double] = [:]
        for e in trace where e.caller == "clients" && e.event == "send" && first[e.request] == nil { first[e.request] = e.time.seconds }
        return first
    }

    @Test func aWindowTracesRequestsThatStartInIt() throws {
        let r = Runner.run(try chain(), trace: TraceSelection(requests: 20, from: .seconds(6), until: .seconds(8)))
        let first = starts(r.trace)
        #expect(first.count == 20)
        #expect(first.values.allSatisfy { $0 >= 6 && $0 < 8 })
        // Every hop: the clients' attempts at api, and api's calls to db, with the service's own steps.
        #expect(r.trace.contains { $0.caller == "api" && $0.service == "db" && $0.event == "refused" && $0.detail == "outage" })
        #expect(r.trace.contains { $0.caller == "clients" && $0.service == "api" && $0.event == "serve" && $0.detail.hasPrefix("waited ") })
        // Rows are in time order.
        #expect(zip(r.trace, r.trace.dropFirst()).allSatisfy { $0.time <= $1.time })
        // Tracing changes nothing else.
        #expect(ResultWriter.summaryTable([r]).text == ResultWriter.summaryTable([Runner.run(try chain())]).text)
    }

    @Test func failedOnlyKeepsRequestsThatDidNotSucceed() throws {
        let r = Runner.run(try chain(), trace: TraceSelection(requests: 5, failedOnly: true))
        let requests = Set(r.trace.map(\.request))
        #expect(requests.count == 5)
        for q in requests {
            let steps = r.trace.filter { $0.request == q && $0.caller == "clients" }
            #expect(!steps.contains { $0.event == "success" }, "request \(q)")
            #expect(steps.last?.event == "give-up", "request \(q)")
            // They fail in the outage, the first ones to: none before 5 s.
            #expect(steps.first!.time.seconds >= 4)
        }
        // Without failedOnly, the first requests all succeed.
        let all = Runner.run(try chain(), trace: TraceSelection(requests: 5))
        #expect(all.trace.filter { $0.caller == "clients" && $0.event == "success" }.count == 5)
    }

    @Test func everyKthRequestIsASample() throws {
        let r = Runner.run(try chain(), trace: TraceSelection(requests: 10, every: 100))
        let numbers = Set(r.trace.map(\.request)).sorted()
        #expect(numbers == Array(stride(from: 0, to: 1000, by: 100)))
    }

    @Test func instancesAreNamedInAFleet() throws {
        let r = Runner.run(try chain(instances: 3), trace: TraceSelection(requests: 30))
        let picked = Set(r.trace.filter { $0.service == "api" && $0.event == "send" }.map(\.instance))
        #expect(picked == [0, 1, 2])
        #expect(r.trace.filter { $0.service == "db" }.allSatisfy { $0.instance == -1 })
    }
}
