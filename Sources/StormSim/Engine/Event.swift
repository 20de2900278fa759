/// A pending event: a small value type, 24 bytes, with no references.
///
/// Events are ordered by `(time, sequence)`: simultaneous events fire in the order they were scheduled, never in
/// the order a heap happens to leave them. The engine does not interpret events: `code` is the model's (its
/// `EventKind`), and it shares a word with the sequence number (the sequence in the high 56 bits, so it decides the
/// order before the code could).
public struct Event: Sendable {
    public var time: SimTime
    var sequenceAndKind: UInt64
    /// Model-defined payload: usually a slot index.
    public var a: UInt32
    /// Model-defined payload: usually a generation tag, for events that may have gone stale.
    public var b: UInt32

    init(time: SimTime, sequence: UInt64, code: UInt8, a: UInt32, b: UInt32) {
        self.time = time
        self.sequenceAndKind = sequence << 8 | UInt64(code)
        self.a = a
        self.b = b
    }

    init(time: SimTime, sequenceAndKind: UInt64, a: UInt32, b: UInt32) {
        self.time = time
        self.sequenceAndKind = sequenceAndKind
        self.a = a
        self.b = b
    }

    /// The model's code for what happens, from the low byte.
    public var code: UInt8 { UInt8(truncatingIfNeeded: sequenceAndKind) }
    public var sequence: UInt64 { sequenceAndKind >> 8 }
}
