/// A model that reacts to events. Specialised generically (no existential per event).
public protocol EventHandler {
    /// Handles one event; may schedule more on `queue`.
    mutating func handle(_ event: Event, queue: inout EventQueue)
}

/// The only event loop: pop the earliest event, advance the clock, hand it to the model.
///
/// The loop knows nothing of clients or services (SimPy's schedule / step / run-until shape).
///
/// It owns the queue, so it is not copyable either. The queue is internal: models schedule through the `inout`
/// queue they are handed.
public struct Simulation<Model: EventHandler>: ~Copyable {
    var queue: EventQueue
    public var model: Model
    /// The time of the event being handled, or of the last one handled.
    public private(set) var now: SimTime = .zero
    /// Events popped so far: the unit of "events per second".
    public private(set) var eventsProcessed: Int = 0

    public init(model: Model, queue: consuming EventQueue) {
        self.model = model
        self.queue = queue
    }

    /// How a call to `run` ended.
    public enum End: Equatable, Sendable {
        /// Every event before `end` was handled.
        case reachedEnd
        /// A checkpoint asked to stop (for example on Ctrl-C).
        case stopped
        /// More than the allowed number of events happened at one instant: simulated time stopped advancing.
        case stalled
    }

    /// Runs every event with time before `end`.
    /// - Parameters:
    ///   - maxEventsAtOneInstant: a bound on consecutive events at the same time; beyond it the model is in a
    ///     zero-time loop and the run ends `.stalled` (the clock would never reach `end`).
    ///   - checkpointEvery: how many events between checkpoints; a power of two.
    ///   - checkpoint: called every `checkpointEvery` events with the current simulated time (for progress
    ///     reports); return true to stop early (e.g. on Ctrl-C).
    @discardableResult
    public mutating func run(
        until end: SimTime, maxEventsAtOneInstant: Int = .max, checkpointEvery: Int = 65_536,
        checkpoint: (SimTime) -> Bool = { _ in false }
    ) -> End {
        precondition(checkpointEvery > 0 && checkpointEvery & (checkpointEvery - 1) == 0)
        let mask = checkpointEvery - 1
        var atThisInstant = 0
        while let event = queue.popMin() {
            // The first event at or after `end` is not handled; the queue is not used after a run ends.
            guard event.time < end else { return .reachedEnd }
            if event.time == now {
                atThisInstant &+= 1
                if atThisInstant > maxEventsAtOneInstant {
                    queue.push(event)  // untouched: it keeps its place in the order
                    return .stalled
                }
            } else {
                atThisInstant = 0
                now = event.time
            }
            eventsProcessed &+= 1
            model.handle(event, queue: &queue)
            if eventsProcessed & mask == 0 && checkpoint(now) { return .stopped }
        }
        return .reachedEnd
    }

    /// Handles the next event if it happens at `now` (to watch a stalled run for a while); false when there is
    /// none.
    public mutating func stepAtNow() -> Event? {
        guard let event = queue.popMin() else { return nil }
        guard event.time == now else {
            queue.push(event)  // untouched: it keeps its place in the order
            return nil
        }
        eventsProcessed &+= 1
        model.handle(event, queue: &queue)
        return event
    }
}
