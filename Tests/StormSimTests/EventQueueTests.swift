import Testing

@testable import StormSim

/// The events a test has scheduled and not yet seen pop: each pop must be their minimum by (time, id).
struct PendingEvents {
    var events: [(time: Int64, id: UInt32)] = []

    var isEmpty: Bool { events.isEmpty }
    var count: Int { events.count }

    mutating func add(_ time: Int64, _ id: UInt32) { events.append((time, id)) }

    /// Checks that `e` is the pending minimum, and removes it.
    mutating func expectMinimum(_ e: Event) {
        let i = events.indices.min { (events[$0].time, events[$0].id) < (events[$1].time, events[$1].id) }!
        #expect(e.time.nanoseconds == events[i].time && e.a == events[i].id)
        events.swapAt(i, events.count - 1)
        events.removeLast()
    }
}

@Suite struct EventQueueTests {
    /// Scheduling everything first and popping everything after must give exactly the stable sort.
    @Test(arguments: [7, 8, 9])
    func matchesStableSortWhenFilledThenDrained(seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        var queue = EventQueue()
        var reference: [(time: Int64, id: UInt32)] = []
        for id in 0..<3_000 {
            let time = Int64(rng.nextInt(below: 50))
            if rng.bernoulli(0.3) {
                queue.schedule(.clientArrival, at: SimTime(nanoseconds: time), a: UInt32(id), lane: 0)
            } else {
                queue.schedule(.clientArrival, at: SimTime(nanoseconds: time), a: UInt32(id))
            }
            reference.append((time, UInt32(id)))
        }
        let expected = reference.sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.id)
        var got: [UInt32] = []
        while let e = queue.popMin() { got.append(e.a) }
        #expect(got == expected)
    }

    /// Interleaved pushes and pops: each pop is the minimum of what is pending.
    @Test func eachPopIsThePendingMinimum() {
        var rng = Xoshiro256(seed: 99)
        var queue = EventQueue()
        var pending = PendingEvents()
        var now: Int64 = 0
        var id: UInt32 = 0
        for _ in 0..<20_000 {
            if rng.bernoulli(0.55) || pending.isEmpty {
                let time = now + Int64(rng.nextInt(below: 10))
                if rng.bernoulli(0.5) {
                    queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: id, lane: 0)
                } else {
                    queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: id)
                }
                pending.add(time, id)
                id += 1
            } else {
                let e = queue.popMin()!
                pending.expectMinimum(e)
                now = e.time.nanoseconds
            }
        }
    }

    /// A lane that wraps around its ring and then grows, and a heap that grows, keep every event in order; an
    /// event earlier than a lane's tail goes to the heap and still pops in its place.
    @Test func lanesAndHeapGrowAcrossWrapAround() {
        var queue = EventQueue()
        var expected: [UInt32] = []
        var id: UInt32 = 0
        func add(_ time: Int64, lane: Bool) {
            if lane {
                queue.schedule(.attemptTimeout, at: SimTime(nanoseconds: time), a: id, lane: 1)
            } else {
                queue.schedule(.serviceDone, at: SimTime(nanoseconds: time), a: id)
            }
            id += 1
        }
        var popped: [(time: Int64, id: UInt32)] = []
        for i in 0..<600 { add(Int64(i), lane: true) }
        for _ in 0..<500 { let e = queue.popMin()!; popped.append((e.time.nanoseconds, e.a)) }
        for i in 0..<3_000 { add(600 + Int64(i), lane: true) }   // wraps, then grows
        add(550, lane: true)                                       // earlier than the tail: heap
        for i in 0..<2_000 { add(500 + Int64((i * 7_919) % 4_000), lane: false) }  // grows the heap
        while let e = queue.popMin() { popped.append((e.time.nanoseconds, e.a)) }
        #expect(popped.count == Int(id))
        for (earlier, later) in zip(popped, popped.dropFirst()) {
            #expect(earlier.time < later.time || (earlier.time == later.time && earlier.id < later.id))
        }
        expected = popped.sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.id)
        #expect(popped.map(\.id) == expected)
        #expect(queue.isEmpty && queue.peek() == nil)
    }

    /// A window's bucket is sorted when it moves in (insertion sort for a few events, merge sort for a crowd) and
    /// popped beside the events scheduled into the window afterwards: windows of 1 to 5,001 events, with ties in
    /// time, must pop exactly in (time, sequence) order while new events keep arriving in the current window.
    @Test func crowdedAndSparseWindowsPopInOrder() {
        var rng = Xoshiro256(seed: 41)
        var queue = EventQueue()
        var pending = PendingEvents()
        var id: UInt32 = 0
        let window = Int64(1) << Int64(TimeWheel.windowShift)
        for (w, size) in [1, 2, 5, 24, 25, 26, 100, 2_000, 5_001, 3].enumerated() {
            let base = Int64(w + 1) * 3 * window
            for _ in 0..<size {
                let time = base + Int64(rng.nextInt(below: UInt64(rng.bernoulli(0.3) ? 8 : window)))  // many ties
                queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: id)
                pending.add(time, id)
                id += 1
            }
        }
        var now: Int64 = 0
        while !pending.isEmpty {
            let e = queue.popMin()!
            pending.expectMinimum(e)
            now = e.time.nanoseconds
            if rng.bernoulli(0.3) {  // into the current window, after its bucket moved in
                let time = now + Int64(rng.nextInt(below: UInt64(window / 4)))
                queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: id)
                pending.add(time, id)
                id += 1
            }
        }
        #expect(queue.isEmpty && id > 7_000)
    }

    /// A crowded window is sorted by time in two counting passes before the insertion sort that orders ties: the
    /// passes alone must leave a window's events in time order, ties in the order they came (stable), or the
    /// insertion sort after them would have a crowd to move (right, but O(n^2)).
    @Test func countingPassesSortAWindowByTimeStably() {
        var rng = Xoshiro256(seed: 43)
        var queue = WindowQueue(capacity: 16)
        let base = UInt64(5) << TimeWheel.windowShift
        let n = 20_000
        var entries: [WindowQueue.Entry] = []
        for i in 0..<n {
            let offset = rng.bernoulli(0.2) ? rng.nextInt(below: 4) : rng.nextInt(below: 1 << TimeWheel.windowShift)
            let key = EventKey(time: SimTime(nanoseconds: Int64(base + offset)), order: UInt64(i) << 8)
            entries.append(WindowQueue.Entry(key: key, payload: UInt64(i)))
        }
        let scratch = UnsafeMutablePointer<WindowQueue.Entry>.allocate(capacity: n)
        defer { scratch.deallocate() }
        entries.withUnsafeMutableBufferPointer { buffer in
            queue.countingPass(from: buffer.baseAddress!, to: scratch, count: n, shift: 0, bits: WindowQueue.radixBits)
            queue.countingPass(from: scratch, to: buffer.baseAddress!, count: n, shift: WindowQueue.radixBits, bits: WindowQueue.radixBits)
        }
        let sorted = zip(entries, entries.dropFirst()).allSatisfy {
            $0.key.time < $1.key.time || ($0.key.time == $1.key.time && $0.payload < $1.payload)
        }
        #expect(sorted && Set(entries.map(\.payload)).count == n)
    }

    /// Every window size through each of the three ways a window is sorted (insertion sort alone, one counting
    /// pass by the top bits of the time, two passes), with times spread over the window, bunched at its start (every
    /// event in one bucket of the pass), or repeated (ties, which keep their order), and the order of scheduling
    /// sometimes not that of the bucket: the run ends in `(time, order)` order, with the same events.
    @Test func windowsOfEverySizeAreSortedByTimeThenOrder() {
        var rng = Xoshiro256(seed: 44)
        let base = UInt64(9) << TimeWheel.windowShift
        var queue = WindowQueue(capacity: 16)
        let sizes = Array(0...70) + [100, 255, 256, 511, 512, 513, 1_500]
        for n in sizes {
            for shape in 0..<4 {
                var expected: [EventKey] = []
                for i in 0..<n {
                    let offset: UInt64
                    switch shape {
                    case 0: offset = rng.nextInt(below: 1 << TimeWheel.windowShift)
                    case 1: offset = rng.nextInt(below: 64)
                    case 2: offset = rng.nextInt(below: 3) << 19
                    default: offset = (1 << TimeWheel.windowShift) - 1 - UInt64(i)
                    }
                    // Mostly in order of scheduling, as a bucket is; now and then an earlier order comes later.
                    let order = (rng.bernoulli(0.1) ? UInt64(i) : UInt64(i) + 1_000_000) << 8
                    let key = EventKey(time: SimTime(nanoseconds: Int64(base + offset)), order: order)
                    queue.append(key, UInt64(i))
                    expected.append(key)
                }
                queue.sortRun()
                expected.sort { EventKey.precedes($0, $1) }
                var popped: [EventKey] = []
                while !queue.isEmpty { popped.append(queue.popTop().key) }
                #expect(popped.map(\.time) == expected.map(\.time) && popped.map(\.order) == expected.map(\.order),
                        "window of \(n) events, shape \(shape)")
            }
        }
    }

    /// Delays on every scale the calendar side sees: the same window, the next ones, on both sides of the ring's end (4.3 s), far
    /// beyond it, and "never"; empty stretches it must jump; lanes interleaved. Each pop is the pending minimum.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func calendarKeepsOrderAcrossWindowsAndTheFarHeap(seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        var queue = EventQueue()
        var pending = PendingEvents()
        var now: Int64 = 0
        var id: UInt32 = 0
        let scales: [Int64] = [
            0, 1, 1_000, 2_000_000, 4_000_000, 50_000_000, 1_000_000_000, 2_100_000_000, 4_200_000_000, 4_300_000_000, 60_000_000_000,
            5_000_000_000_000,
        ]
        for step in 0..<12_000 {
            // Mixed stretches, then a stretch of draining (often to empty, so the queue has to jump ahead).
            let draining = (step / 400) % 4 == 3
            if (!draining && rng.bernoulli(0.55)) || pending.isEmpty {
                let scale = scales[Int(rng.nextInt(below: UInt64(scales.count)))]
                var time = now + (scale == 0 ? 0 : Int64(rng.nextInt(below: UInt64(scale))))
                if rng.bernoulli(0.001) { time = Int64.max }  // saturated "never"
                if rng.bernoulli(0.2) {
                    queue.schedule(.attemptTimeout, at: SimTime(nanoseconds: time), a: id, lane: 0)
                } else {
                    queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: id)
                }
                pending.add(time, id)
                id += 1
            } else {
                let e = queue.popMin()!
                pending.expectMinimum(e)
                now = e.time.nanoseconds == Int64.max ? now : e.time.nanoseconds
            }
            #expect(queue.count == pending.count)
        }
        while let e = queue.popMin() { pending.expectMinimum(e) }
        #expect(pending.isEmpty)
    }

    /// A full lane makes room by dropping the events the model calls dead, in order, without growing; the dead
    /// ones before the end are counted; a lane still more than half live doubles instead of being scanned again
    /// at the next append.
    @Test func makeRoomDropsDeadEventsWithoutGrowing() {
        var queue = EventQueue()
        var id: UInt32 = 0
        while !queue.laneIsFull(1) {
            queue.schedule(.attemptTimeout, at: SimTime(nanoseconds: Int64(id) * 10), a: id, lane: 1)
            id += 1
        }
        let capacity = queue.lane1.capacity
        let end = SimTime(nanoseconds: 5_000)  // events 0 to 499 come before it
        queue.makeRoom(inLane: 1, countingBefore: end) { $0.a % 4 != 0 }  // three in four are dead
        #expect(queue.lane1.capacity == capacity)
        #expect(queue.lane1.count == capacity / 4)
        #expect(queue.removedBeforeEnd == 375)  // 500 before the end, of which a quarter live
        queue.schedule(.attemptTimeout, at: SimTime(nanoseconds: Int64(id) * 10), a: id, lane: 1)
        var popped: [UInt32] = []
        while let e = queue.popMin() { popped.append(e.a) }
        #expect(popped == Array(stride(from: 0, to: id, by: 4)) + [id])

        var live = EventQueue()
        var n: UInt32 = 0
        while !live.laneIsFull(0) {
            live.schedule(.attemptArrives, at: SimTime(nanoseconds: Int64(n)), a: n, lane: 0)
            n += 1
        }
        live.makeRoom(inLane: 0, countingBefore: .never) { $0.a == 3 }
        #expect(live.lane0.capacity == 2 * capacity && live.lane0.count == Int(n) - 1 && live.removedBeforeEnd == 1)
        let fullAfter = live.laneIsFull(0)
        #expect(!fullAfter)
    }

    /// Lanes and calendar buckets take their chunks from one pool and give them back as they empty: a burst's
    /// first attempts leave the network lane as their retries fill the calendar, and the queue's memory follows
    /// the events waiting in all its parts together, not the sum of each part's largest size.
    @Test func lanesAndCalendarShareTheirMemory() {
        var queue = EventQueue()
        let n = 100_000
        for i in 0..<n { queue.schedule(.attemptArrives, at: SimTime(nanoseconds: 1_000_000), a: UInt32(i), lane: 0) }
        let laneChunks = queue.chunks.used
        #expect(laneChunks == (n + EventChunks.size - 1) / EventChunks.size)
        var popped = 0
        while let e = queue.popMin() {  // each arrival is answered with a retry somewhere in the next second
            popped += 1
            if e.kind == .attemptArrives {
                let delay = Int64(e.a % 997) * 1_000_000 + 5_000_000
                queue.schedule(.retryDue, at: e.time + SimDuration(nanoseconds: delay), a: e.a)
            }
            if popped == n { break }
        }
        #expect(queue.count == n && queue.lane0.count == 0)
        // 997 buckets each hold a partly filled chunk at most, beyond the full ones.
        #expect(queue.chunks.used <= laneChunks + 997 + 1)
        var last = SimTime.zero, retries = 0
        while let e = queue.popMin() {
            #expect(e.time >= last)
            last = e.time
            retries += 1
        }
        #expect(retries == n)
    }

    /// The heap side does not move past the window of the earliest lane event: events scheduled between "now" and
    /// a later heap event go to the wheel, not to the window heap, so that heap stays small in a burst whose lanes
    /// hold the near future.
    @Test func heapSideWaitsForTheLanes() {
        var queue = EventQueue()
        let ms: Int64 = 1_000_000
        queue.schedule(.serviceDone, at: SimTime(nanoseconds: 150 * ms), a: 0)
        for i in 1...30 { queue.schedule(.attemptArrives, at: SimTime(nanoseconds: ms), a: UInt32(i), lane: 0) }
        var pending = PendingEvents()
        pending.add(150 * ms, 0)
        for i in 1...30 { pending.add(ms, UInt32(i)) }
        var id: UInt32 = 1_000
        var rng = Xoshiro256(seed: 5)
        while let e = queue.popMin() {
            pending.expectMinimum(e)
            guard e.a < 1_000 && e.a > 0 else { continue }
            // Each lane event schedules retries spread over the next 100 ms, as a burst's refused attempts do.
            for _ in 0..<60 {
                let t = e.time.nanoseconds + Int64(rng.nextInt(below: UInt64(100 * ms)))
                queue.schedule(.retryDue, at: SimTime(nanoseconds: t), a: id)
                pending.add(t, id)
                id += 1
            }
            let held = queue.near.count
            #expect(held < 200, "the window heap holds \(held) events")
        }
        #expect(pending.isEmpty)
    }

    @Test func sequenceAndKindSurviveThePacking() {
        var queue = EventQueue()
        queue.schedule(.attemptTimeout, at: SimTime(nanoseconds: 5), a: 1, b: 77)
        queue.schedule(.serviceDone, at: SimTime(nanoseconds: 5), a: 2, b: 0)
        let first = queue.popMin()!, second = queue.popMin()!
        #expect(first.kind == .attemptTimeout && first.b == 77 && first.sequence == 0)
        #expect(second.kind == .serviceDone && second.sequence == 1)
        #expect(queue.popMin() == nil)
    }

    /// Per-event state stays compact: an event, a heap key, and the request and attempt slots every event
    /// touches. (Growing them is allowed, but should be a decision: memory per event is speed. The request grew
    /// from 56 to 64 bytes, one cache line, to own the list of its attempts in flight; the attempt shrank from 80 to
    /// 64 when three fields that no attempt uses together came to share one word.)
    @Test func hotStateStaysCompact() {
        #expect(MemoryLayout<Event>.stride == 24)
        #expect(MemoryLayout<EventKey>.stride == 16)
        #expect(MemoryLayout<RequestState>.stride <= 64)
        #expect(MemoryLayout<AttemptState>.stride <= 64)
    }

    @Test func ringBufferIsADeque() {
        var ring = RingBuffer<Int>(initialCapacity: 4, filler: -1)
        for i in 0..<100 { ring.append(i) }
        #expect(ring.popFirst() == 0)
        #expect(ring.popLast() == 99)
        #expect(ring.count == 98)
        var rest: [Int] = []
        while let x = ring.popFirst() { rest.append(x) }
        #expect(rest == Array(1...98))
        #expect(ring.popLast() == nil)
    }

    /// In a crowd (a window of thousands of events, a lane of tens of thousands) the loop hands upcoming events to
    /// the model's `touch` in batches before it handles them: every event touched is one still to come (never a
    /// stale or unwritten entry), most events are touched before they are handled, and the events are handled in
    /// exactly the order the queue pops them.
    @Test func crowdsAreTouchedAheadWithoutChangingTheOrder() {
        final class TouchLog {
            var handled: [UInt32] = []
            /// Each touch: the event's payload and how many events had been handled then.
            var touches: [(a: UInt32, handledBefore: Int)] = []
        }
        struct Recorder: EventHandler {
            let log: TouchLog
            mutating func handle(_ event: Event, queue: inout EventQueue) { log.handled.append(event.a) }
            func touch(_ event: Event) -> UInt64 {
                log.touches.append((event.a, log.handled.count))
                return 1
            }
        }
        func crowd() -> EventQueue {
            var rng = Xoshiro256(seed: 47)
            var queue = EventQueue()
            let ms: Int64 = 1_000_000
            for i in 0..<20_000 {  // a lane of 20,000 messages
                queue.schedule(.attemptArrives, at: SimTime(nanoseconds: ms + Int64(i) * 100), a: UInt32(i), lane: 0)
            }
            for i in 20_000..<25_000 {  // a window of 5,000 retries
                let time = 40 * ms + Int64(rng.nextInt(below: 1 << TimeWheel.windowShift))
                queue.schedule(.retryDue, at: SimTime(nanoseconds: time), a: UInt32(i))
            }
            return queue
        }
        var reference: [UInt32] = []
        var plain = crowd()
        while let e = plain.popMin() { reference.append(e.a) }

        let log = TouchLog()
        var sim = Simulation(model: Recorder(log: log), queue: crowd())
        sim.run(until: .never)
        #expect(log.handled == reference)
        var position = [Int](repeating: -1, count: 25_000)
        for (k, a) in log.handled.enumerated() { position[Int(a)] = k }
        let ahead = log.touches.allSatisfy { Int($0.a) < 25_000 && position[Int($0.a)] >= $0.handledBefore }
        let lane = Set(log.touches.map(\.a).filter { $0 < 20_000 }).count
        let window = Set(log.touches.map(\.a).filter { $0 >= 20_000 }).count
        #expect(ahead && sim.touched == UInt64(log.touches.count))
        #expect(lane > 10_000 && window > 4_500, "touched \(lane) lane events, \(window) window events")
    }

    /// A short lane (a steady 300 events, as a network's after a burst's first attempts) is not touched ahead: in a
    /// small model its slots are in the cache and touching is all cost. A model whose slots are beyond the cache
    /// says so (`warmLanes(from:)`; a world does when it reserves 2^17 clients or more), and then the lane's events
    /// are touched ahead, in the same handling order.
    @Test func shortLanesAreTouchedWhenTheModelIsLarge() throws {
        final class Log { var handled: [UInt32] = []; var touched = Set<UInt32>() }
        struct Relay: EventHandler {
            let log: Log
            mutating func handle(_ event: Event, queue: inout EventQueue) {
                log.handled.append(event.a)
                if event.a < 29_700 { queue.schedule(.attemptArrives, at: event.time + SimDuration(nanoseconds: 300_000), a: event.a + 300, lane: 0) }
            }
            func touch(_ event: Event) -> UInt64 {
                log.touched.insert(event.a)
                return 1
            }
        }
        func run(warmFrom: Int?) -> Log {
            var queue = EventQueue()
            if let warmFrom { queue.warmLanes(from: warmFrom) }
            for i in 0..<300 { queue.schedule(.attemptArrives, at: SimTime(nanoseconds: Int64(i) * 1_000), a: UInt32(i), lane: 0) }
            let log = Log()
            var sim = Simulation(model: Relay(log: log), queue: queue)
            sim.run(until: .never)
            return log
        }
        let small = run(warmFrom: nil), large = run(warmFrom: 64)
        #expect(small.handled.count == 30_000 && large.handled == small.handled)
        #expect(small.touched.isEmpty)
        #expect(large.touched.count > 25_000, "touched \(large.touched.count) of 30,000")

        func laneWarmFrom(clients: Int) throws -> Int {
            let s = try scenario(queueingScenario(clients: clients, workers: 1, serviceTime: #"{ "dist": "constant", "value": "1ms" }"#, duration: "1s"))
            var world = World<PlainModel>(scenario: s)
            var queue = EventQueue()
            world.start(queue: &queue)
            return queue.chunks.laneWarmFrom
        }
        #expect(try laneWarmFrom(clients: 1_000) == EventLane.warmFrom)
        #expect(try laneWarmFrom(clients: 1 << 17) == 2 * EventChunks.size)
    }
}
