/// Look-aside caches (`Service.cache`): a hit answers after the cache's hit time; a miss does the service's work
/// and calls the backend, and a successful answer is stored. With coalescing, misses on a key whose fetch is out
/// wait for it.
extension World {
    /// Looks up the key of `attempt`'s request in service `s`'s cache; a hit is marked on the attempt and counted.
    mutating func cacheHit(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) -> Bool {
        let key = caches[s]!.key(request: requests[attempts[attempt].request].key)
        guard caches[s]!.lookup(key, now: now) else { return false }
        attempts[attempt].cacheHit = true
        stats.series.add(services[s].columns.hits, at: now)
        if caches[s]!.wantsRefresh(key, now: now) { refresh(key, service: s, for: attempt, now: now, queue: &queue) }
        return true
    }

    /// Soft TTL: refreshes `key` in the background, an attempt with no request and no worker whose calls go to
    /// the backend (the hit that found the key stale is answered at once).
    mutating func refresh(_ key: Int, service s: Int, for hit: UInt32, now: SimTime, queue: inout EventQueue) {
        caches[s]!.refreshing[key] = true
        let attempt = attempts.insert(AttemptState(
            deadline: .never, key: DrawKey.child(attempts[hit].key, 0x5EF), request: AttemptState.none,
            requestGeneration: UInt32(key), instance: attempts[hit].instance, breakerGeneration: AttemptState.refresh,
            service: UInt16(s)))
        callDownstream(attempt, service: s, deadline: .never, now: now, queue: &queue)
    }

    /// A background refresh's calls are back: a success stores the key anew.
    mutating func refreshed(_ attempt: UInt32, service s: Int, now: SimTime) {
        let key = Int(attempts[attempt].requestGeneration)
        if !attempts[attempt].downstreamFailed { caches[s]!.store(key, now: now) }
        caches[s]!.refreshing[key] = false
        attempts.remove(attempt)
    }

    /// A miss about to call the backend: with coalescing, if the key's fetch is already out, wait for it (and
    /// return true); else become its fetch.
    mutating func awaitsFetch(_ attempt: UInt32, service s: Int) -> Bool {
        guard caches[s]!.config.coalesce else { return false }
        let key = caches[s]!.key(request: requests[attempts[attempt].request].key)
        if caches[s]!.nextWaiter.count < attempts.items.count {
            caches[s]!.nextWaiter.append(contentsOf: repeatElement(AttemptState.none, count: attempts.items.count - caches[s]!.nextWaiter.count))
        }
        guard caches[s]!.fetcher[key] != AttemptState.none else {
            caches[s]!.fetcher[key] = attempt
            return false
        }
        attempts[attempt].pendingCalls = 1  // the fetch it waits for
        caches[s]!.nextWaiter[Int(attempt)] = caches[s]!.firstWaiter[key]
        caches[s]!.firstWaiter[key] = attempt
        return true
    }

    /// `attempt`'s backend calls are all back: a successful fetch is stored; with coalescing, the attempts that
    /// waited for it finish with its result.
    mutating func fetched(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        let key = caches[s]!.key(request: requests[attempts[attempt].request].key)
        let failed = attempts[attempt].downstreamFailed
        guard !caches[s]!.config.coalesce || caches[s]!.fetcher[key] == attempt else { return }  // a waiter
        if !failed { caches[s]!.store(key, now: now) }
        guard caches[s]!.config.coalesce else { return }
        caches[s]!.fetcher[key] = AttemptState.none
        var waiter = caches[s]!.firstWaiter[key]
        caches[s]!.firstWaiter[key] = AttemptState.none
        while waiter != AttemptState.none {
            let next = caches[s]!.nextWaiter[Int(waiter)]
            downstreamCallFinished(waiter, succeeded: !failed, now: now, queue: &queue)
            waiter = next
        }
    }

    /// A `cacheFlush` window opens (the cache is emptied and stores nothing) or closes.
    mutating func cacheFlush(service s: Int, opens: Bool) {
        guard caches[s] != nil else { return }
        if opens { caches[s]!.flush() }
        caches[s]!.flushed = opens
    }
}
