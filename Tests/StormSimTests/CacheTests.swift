import Foundation
import Testing

@testable import StormSim

/// Look-aside caches (`cache`): the LRU hit ratio against Che's approximation, TTL and coalescing on exact
/// timelines, flushes, and the books kept.
@Suite struct CacheTests {
    /// An API with a cache in front of a database; no network delay, 1 ms everywhere unless `db` says otherwise.
    func text(clients: String, cache: String, db: String = #"{ "dist": "constant", "value": "1ms" }"#, faults: String = "[]",
              duration: String = "60s", policy: String = #"{ "timeout": "1s" }"#) -> String {
        """
        { "name": "cache", "duration": "\(duration)", "seed": 8,
          "network": { "latency": { "dist": "constant", "value": "0ms" } },
          "clients": \(clients.replacingOccurrences(of: "POLICY", with: policy)),
          "services": [
            { "name": "api", "workers": 1000, "serviceTime": { "dist": "constant", "value": "1ms" }, "calls": ["db"],
              "policy": { "timeout": "500ms" }, "cache": \(cache), "faults": \(faults) },
            { "name": "db", "workers": 1000, "queue": { "capacity": 100000 }, "serviceTime": \(db) } ] }
        """
    }

    /// One client asking for one key every second from 0.5 s to 30.5 s (a replayed trace), with `cache`.
    func everySecond(cache: String) throws -> Scenario {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stormsim-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ("time_s\n" + (0...30).map { "\(Double($0) + 0.5)\n" }.joined()).write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("s.json")
        try text(clients: #"{ "count": 1, "target": "api", "arrival": { "type": "trace", "file": "t.csv" }, "policy": POLICY }"#, cache: cache)
            .write(to: file, atomically: true, encoding: .utf8)
        return try ScenarioDecoder.load(file: file.path)
    }

    /// 1,000 keys of Zipf(0.8) popularity, 100 kept: Che's approximation gives a hit ratio of 0.3778. 200,000
    /// requests (standard error 0.0011); the cold start and the 2 ms each fetch takes before it is stored cost a
    /// little, so the tolerance is 2% relative.
    @Test func lruHitRatioMatchesChesApproximation() throws {
        let config = #"{ "keys": 1000, "zipf": 0.8, "capacity": 100 }"#
        let s = try scenario(text(
            clients: #"{ "count": 1000, "target": "api", "arrival": { "type": "poisson", "rate": 1 }, "policy": POLICY }"#,
            cache: config, duration: "200s"))
        let che = try #require(s.services[0].cache).cheHitRatio()
        #expect(abs(che - 0.3778) < 0.0005)
        let r = Runner.run(s)
        let measured = try #require(r.value("api_hit_ratio"))
        #expect(relativeError(measured, che) < 0.02, "\(measured) against \(che)")
        // Every miss is fetched once: the misses and the fetches differ only by the few requests still open at the end.
        let misses = r.value("requests")! * (1 - measured)
        #expect(abs(r.value("db_attempts")! - misses) <= 5, "\(r.value("db_attempts")!) fetches, \(misses) misses")
    }

    /// One key, a 10 s TTL, a request every second from 0.5 s: stored at 0.502 s (1 ms at the API, 1 ms at the
    /// database) until 10.502 s, so 10.5 hits and 11.5 misses; then 21.5 hits and 22.5 misses: 3 fetches of 31.
    @Test func ttlExpiresEntries() throws {
        let r = Runner.run(try everySecond(cache: #"{ "keys": 1, "capacity": 1, "ttl": "10s" }"#))
        #expect(r.value("requests") == 31 && r.value("succeeded") == 31)
        #expect(r.value("db_attempts") == 3)
        let hits = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "api_hits")!] }
        #expect(hits[0] == 0 && hits[10] == 1 && hits[11] == 0 && hits[21] == 1 && hits[22] == 0)
    }

    /// The same requests with a soft TTL of 8 s: the hit at 9.5 s finds the entry 8.998 s old, is answered from
    /// the cache and refreshes it in the background (stored again at 9.501 s: 1 ms at the database); so do the
    /// hits at 18.5 s and 27.5 s. One miss, 30 hits, 4 fetches.
    @Test func aSoftTTLRefreshesBeforeExpiry() throws {
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: try everySecond(cache: #"{ "keys": 1, "capacity": 1, "ttl": "10s", "softTtl": "8s" }"#)))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(r.value("requests") == 31 && r.value("succeeded") == 31)
        #expect(r.value("db_attempts") == 4 && r.value("api_hit_ratio") == 30.0 / 31)
        let fetches = r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: "db_attempts")!] }
        #expect(fetches[0] == 1 && fetches[9] == 1 && fetches[18] == 1 && fetches[27] == 1)
    }

    /// Fifty requests for one key at once, on a cold cache: fifty fetches, or with coalescing one, whose answer
    /// the other 49 share.
    @Test(arguments: [false, true])
    func coalescingSharesOneFetch(coalesce: Bool) throws {
        let s = try scenario(text(
            clients: #"{ "count": 50, "target": "api", "arrival": { "type": "burst" }, "policy": POLICY }"#,
            cache: #"{ "keys": 1, "capacity": 1, "coalesce": \#(coalesce) }"#))
        let r = Runner.run(s)
        #expect(r.value("succeeded") == 50)
        #expect(r.value("db_attempts") == (coalesce ? 1 : 50))
    }

    /// A flush from 10 s to 20 s: nothing is stored meanwhile, so every request of that window fetches; the
    /// cache fills again after it.
    @Test func aFlushEmptiesTheCache() throws {
        let s = try scenario(text(
            clients: #"{ "count": 100, "target": "api", "arrival": { "type": "poisson", "rate": 1 }, "policy": POLICY }"#,
            cache: #"{ "keys": 10, "capacity": 10 }"#, faults: #"[ { "type": "cacheFlush", "from": "10s", "to": "20s" } ]"#, duration: "30s"))
        let r = Runner.run(s)
        let column = { (name: String) in r.seriesRows.map { $0[r.seriesHeader.firstIndex(of: name)!] } }
        let hits = column("api_hits"), fetches = column("db_attempts")
        #expect(hits[5..<10].allSatisfy { $0 > 60 } && hits[10..<20].allSatisfy { $0 == 0 } && hits[22..<30].allSatisfy { $0 > 60 })
        #expect(fetches[10..<20].allSatisfy { $0 > 60 } && fetches[22..<30].allSatisfy { $0 < 5 })  // 100 a second, sd 10
    }

    /// Coalescing under load with retries and timeouts: the books balance at every checkpoint.
    @Test func invariantsHoldWithCoalescing() throws {
        let s = try scenario(text(
            clients: #"{ "count": 500, "target": "api", "arrival": { "type": "poisson", "rate": 2 }, "policy": POLICY }"#,
            cache: #"{ "keys": 500, "capacity": 50, "ttl": "2s", "coalesce": true }"#,
            db: #"{ "dist": "exponential", "mean": "300ms" }"#, duration: "40s",
            policy: #"{ "timeout": "400ms", "maxAttempts": 3 }"#))
        let (r, problems) = Runner.runAudited(Variant(name: "base", parameters: [], scenario: s))
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(r.value("requests") == r.value("succeeded")! + r.value("failed")! + r.value("unfinished")!)
        #expect(r.value("api_hit_ratio")! > 0 && r.value("timeouts")! > 0)
    }

    @Test func cacheKeysAreChecked() {
        #expect(issues(text(clients: #"{ "count": 1, "target": "api", "arrival": { "type": "burst" }, "policy": POLICY }"#,
                            cache: #"{ "keys": 0, "capacity": 1 }"#)).first?.hasPrefix("services[0].cache.keys: expected an integer from 1 to 10000000") == true)
        let noBackend = #"{ "name": "c", "duration": "10s", "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } },"#
            + #" "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "cache": { "keys": 5, "capacity": 1 } } ] }"#
        #expect(issues(noBackend) == ["services[0].cache: a cache needs a backend to fill it from: give the service calls (the database it caches)"])
        let flushWithoutCache = #"{ "name": "c", "duration": "10s", "clients": { "count": 1, "target": "api", "arrival": { "type": "burst" } },"#
            + #" "services": [ { "name": "api", "workers": 1, "serviceTime": { "dist": "constant", "value": "1ms" }, "faults": [ { "type": "cacheFlush", "from": "1s", "to": "2s" } ] } ] }"#
        #expect(issues(flushWithoutCache) == ["services[0].faults[0]: a cacheFlush fault needs a service with a cache"])
        #expect(issues(text(clients: #"{ "count": 1, "target": "api", "arrival": { "type": "burst" }, "policy": POLICY }"#,
                            cache: #"{ "keys": 5, "capacity": 1, "ttl": "10s", "softTtl": "10s" }"#)).first?
            .hasPrefix("services[0].cache.softTtl: 10s is not below ttl (10s)") == true)
    }
}
