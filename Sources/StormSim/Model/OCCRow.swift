/// The row of an optimistic-concurrency service: every write that lands bumps its version, and a conditional
/// write succeeds only if the version is still the one its attempt read (Brooker's 2015 jitter study).
struct OCCRow {
    private(set) var version: UInt64 = 0
    /// Writes that lost the race.
    private(set) var conflicts = 0

    /// Applies a conditional write made after reading `readVersion`. - Returns: whether it landed.
    mutating func write(readVersion: UInt64) -> Bool {
        guard version == readVersion else {
            conflicts += 1
            return false
        }
        version &+= 1
        return true
    }
}
