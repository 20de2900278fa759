/// Optimistic concurrency: a read of the row's version, then a conditional write that loses to any write since.
extension World {
    /// The client has the version: it sends its conditional write (unless it has given up on the attempt).
    mutating func versionRead(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        if attempts[attempt].abandoned {
            releaseAttempt(attempt)  // timed out while reading: the client never writes
            return
        }
        sendMessage(.writeArrives, a: attempt, b: 0, salt: occWriteSalt, now: now, queue: &queue)
    }

    /// The write lands if nobody wrote since this attempt's read; either way the answer crosses the network back.
    mutating func writeArrives(_ attempt: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(attempts[attempt].service)
        let landed = services[s].row.write(readVersion: attempts[attempt].readVersion)
        if landed {
            instances[Int(attempts[attempt].instance)].counts.served += 1
            stats.series.add(services[s].columns.served, at: now)
        }
        let outcome: Outcome = landed ? .success : .conflict
        sendMessage(.responseArrives, a: attempt, b: outcome.rawValue, salt: occReplySalt, now: now, queue: &queue)
    }
}
