import Foundation
import Testing

@testable import StormSim

/// The model's components on their own, without a run around them.
@Suite struct ComponentTests {
    func service(_ discipline: Service.Discipline, capacity: Int = 3) -> Service {
        Service(name: "s", workers: 1, queueCapacity: capacity, discipline: discipline, serviceTime: .constant(value: .milliseconds(1)))
    }

    @Test func queueDisciplines() {
        let t = SimTime.zero
        var fifo = ServiceQueue(service(.fifo)), lifo = ServiceQueue(service(.lifo))
        for a: UInt32 in [1, 2, 3] {
            fifo.enqueue(a, now: t)
            lifo.enqueue(a, now: t)
        }
        #expect(fifo.isFull && lifo.isFull)
        let first = fifo.pop(now: t), last = lifo.pop(now: t)
        #expect(first == 1 && last == 3)
        // Adaptive LIFO: FIFO until the queue has been non-empty for adaptiveAfter (100 ms), then LIFO.
        var adaptive = ServiceQueue(service(.adaptiveLifo))
        for a: UInt32 in [1, 2, 3] { adaptive.enqueue(a, now: t) }
        let early = adaptive.pop(now: t + .milliseconds(50)), late = adaptive.pop(now: t + .milliseconds(150))
        #expect(early == 1 && late == 3)
    }

    @Test func queueDropRules() {
        var config = service(.fifo)
        config.queueTimeout = .milliseconds(500)
        config.codel = (target: .milliseconds(5), interval: .milliseconds(100))
        var q = ServiceQueue(config)
        let t = SimTime.zero + .seconds(1)
        let expired = q.drops(waited: 1_000_000, expired: true, now: t)  // deadline passed
        let tooLong = q.drops(waited: 600_000_000, expired: false, now: t)  // past the queue timeout
        #expect(expired && tooLong)
        // CoDel: within the first 100 ms interval nothing is known yet; an interval whose minimum delay stayed above
        // 5 ms makes it overloaded, and then it drops what waited more than 10 ms.
        var c = ServiceQueue(config)
        let first = c.drops(waited: 20_000_000, expired: false, now: .zero + .milliseconds(50))
        let overloaded = c.drops(waited: 20_000_000, expired: false, now: .zero + .milliseconds(150))
        let short = c.drops(waited: 8_000_000, expired: false, now: .zero + .milliseconds(160))
        #expect(!first && overloaded && !short)
    }

    /// A freed slot's generation is bumped and a reused slot keeps it: whoever remembers (slot, generation) can tell
    /// its occupant from a later one, for requests as for attempts.
    @Test func slotGenerations() {
        var pool = SlotPool<RequestState>()
        func request() -> RequestState {
            RequestState(deadline: .never, key: 1, start: .zero, previousSleep: 0, parent: RequestState.none, client: 0,
                         traceId: -1, attemptsSent: 0, caller: 0, target: 0)
        }
        let a = pool.insert(request())
        #expect(pool[a].generation == 0)
        pool.remove(a)
        let b = pool.insert(request())  // the same slot, reused
        #expect(b == a && pool[b].generation == 1)
        pool.remove(b)
        #expect(pool[b].generation == 2 && pool.liveSet() == [false])
    }

    /// Slots start on a 64-byte boundary (one cache line per 64-byte slot) through every growth, keep their
    /// contents when the storage moves, and a copy of a pool is independent of the original (copy on write).
    @Test func slotPoolStorageIsAlignedKeptAndCopiedOnWrite() {
        var pool = SlotPool<AttemptState>()
        #expect(MemoryLayout<AttemptState>.stride == 64 && MemoryLayout<RequestState>.stride == 64)
        func attempt(_ i: Int) -> AttemptState {
            AttemptState(deadline: .never, key: UInt64(i), request: UInt32(i), requestGeneration: 0, instance: 0,
                         breakerGeneration: AttemptState.noBreaker, service: 0)
        }
        for i in 0..<100_000 {
            #expect(pool.insert(attempt(i)) == UInt32(i))
            if i & (i - 1) == 0 || i == 99_999 {  // right after each growth
                #expect(UInt(bitPattern: pool.items.baseAddress!) % 64 == 0)
            }
        }
        #expect((0..<100_000).allSatisfy { pool[UInt32($0)].key == UInt64($0) })
        var copy = pool
        copy[7].key = 70
        copy.remove(8)
        pool[9].key = 90
        #expect(pool[7].key == 7 && pool[8].generation == 0 && copy[9].key == 9)
        #expect(copy[7].key == 70 && copy[8].generation == 1 && pool[9].key == 90)
        #expect(pool.live == 100_000 && copy.live == 99_999)
        var reserved = SlotPool<AttemptState>()
        reserved.reserve(1_000)
        #expect(UInt(bitPattern: reserved.items.baseAddress ?? UnsafePointer(bitPattern: 64)!) % 64 == 0)
    }

    /// Records (the world's callers, services and instances) behave as an array of values: read and written in
    /// place, a copy independent once either writes, and every reference they hold released with the last copy.
    @Test func recordsAreValuesThatReleaseWhatTheyHold() {
        final class Tracked { nonisolated(unsafe) static var alive = 0; init() { Tracked.alive += 1 }; deinit { Tracked.alive -= 1 } }
        struct Row { var n: Int; var names: [String]; var tracked: Tracked }
        do {
            var rows = Records((0..<5).map { Row(n: $0, names: ["r\($0)"], tracked: Tracked()) })
            #expect(Tracked.alive == 5 && rows.count == 5 && rows.map(\.n) == [0, 1, 2, 3, 4])
            var copy = rows
            copy[1].n = 10
            copy[2].names.append("more")
            rows[3].tracked = Tracked()
            #expect(rows.map(\.n) == [0, 1, 2, 3, 4] && copy.map(\.n) == [0, 10, 2, 3, 4])
            #expect(rows[2].names == ["r2"] && copy[2].names == ["r2", "more"])
            #expect(Tracked.alive == 6 && rows[3].tracked !== copy[3].tracked && rows[4].tracked === copy[4].tracked)
            #expect(Array(rows.indices) == [0, 1, 2, 3, 4] && rows.reduce(0) { $0 + $1.n } == 10)
        }
        #expect(Tracked.alive == 0)
    }

    /// A block large enough to be offered huge pages (`PlainMemory.adviseLarge`) holds and keeps its values
    /// through growth, as a small one does.
    @Test func largePlainBlocksKeepTheirValues() {
        let small = PlainMemory.largeBlock / 8 - 3  // UInt64s: just under the size that asks for huge pages
        var block = PlainMemory.allocate(UInt64.self, capacity: small)
        for i in 0..<small { block[i] = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }
        block = PlainMemory.resize(block, to: 3 * small)  // now large
        for i in small..<(3 * small) { block[i] = UInt64(i) }
        let kept = (0..<small).allSatisfy { block[$0] == UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let added = (small..<(3 * small)).allSatisfy { block[$0] == UInt64($0) }
        PlainMemory.free(block)
        #expect(kept && added)
    }

    @Test func occRowLandsOnlyUnchangedWrites() {
        var row = OCCRow()
        let read = row.version
        let landed = row.write(readVersion: read)
        let stale = row.write(readVersion: read)  // someone wrote since
        let again = row.write(readVersion: row.version)
        #expect(landed && !stale && again)
        #expect(row.version == 2 && row.conflicts == 1)
    }
}

/// The output columns are declared once (`OutputColumns`); every one is documented in docs/outputs.md.
@Suite struct OutputColumnTests {
    static let readme = (try? String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/outputs.md"), encoding: .utf8)) ?? ""

    @Test func namesAreUniqueAndDocumented() throws {
        let s = try scenario(queueingScenario(clients: 1, workers: 1, serviceTime: #"{ "dist": "constant", "value": "1ms" }"#, duration: "1s"))
        let summary = OutputColumns.summaryNames(services: ["api"])
        let series = OutputColumns.seriesNames(s)
        #expect(Set(summary).count == summary.count && Set(series).count == series.count)
        #expect(Runner.metricColumns(services: ["api"]) == summary)
        for name in SummaryMetric.allCases.map(\.rawValue) + SeriesMetric.allCases.map(\.rawValue) {
            #expect(Self.readme.contains("`\(name)`"), "\(name) is not in docs/outputs.md's column tables")
        }
        for suffix in ServiceMetric.allCases.map(\.rawValue) + ServiceSeriesMetric.allCases.map(\.rawValue) {
            #expect(Self.readme.contains("_\(suffix)`"), "<service>_\(suffix) is not in docs/outputs.md's column tables")
        }
        for name in InstanceMetric.allCases.map(\.rawValue) {
            #expect(Self.readme.contains("`\(name)`"), "\(name) (instances.csv) is not in docs/outputs.md")
        }
    }
}
