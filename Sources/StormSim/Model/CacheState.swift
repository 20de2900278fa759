/// The live state of a service's look-aside cache (`CacheConfig`): an LRU list of stored keys with their expiry,
/// a direct table from key to slot, and, with coalescing, each key's fetch in flight and the attempts waiting for
/// it (a list threaded through an array indexed by attempt slot). No allocation per event once grown.
struct CacheState {
    let config: CacheConfig
    /// The keys' popularity.
    let popularity: ZipfPopularity
    let salt: UInt64
    /// Slot of each key, or -1.
    var slotOfKey: [Int32]
    /// Per slot: its key, when it expires, and its neighbours in recency order (-1: none).
    var keyOfSlot: [UInt32]
    var expiry: [SimTime]
    /// Per slot, when it was stored (soft TTL); per key, whether a background refresh is out.
    var storedAt: [SimTime]
    var refreshing: [Bool] = []
    var newer: [Int32]
    var older: [Int32]
    /// Most and least recently used slots, and slots in use.
    var mostRecent: Int32 = -1
    var leastRecent: Int32 = -1
    var used = 0
    /// Coalescing: the attempt fetching each key (none: `AttemptState.none`), the first attempt waiting for it,
    /// and per attempt slot the next waiter.
    var fetcher: [UInt32] = []
    var firstWaiter: [UInt32] = []
    var nextWaiter: [UInt32] = []
    /// While a `cacheFlush` fault is open nothing is stored.
    var flushed = false
    var hits = 0
    var lookups = 0

    init(_ config: CacheConfig, salt: UInt64) {
        self.config = config
        self.salt = salt
        popularity = ZipfPopularity(keys: config.keys, exponent: config.zipf)
        slotOfKey = [Int32](repeating: -1, count: config.keys)
        let slots = min(config.capacity, config.keys)
        keyOfSlot = [UInt32](repeating: 0, count: slots)
        expiry = [SimTime](repeating: .zero, count: slots)
        storedAt = [SimTime](repeating: .zero, count: slots)
        if config.softTtl != nil { refreshing = [Bool](repeating: false, count: config.keys) }
        newer = [Int32](repeating: -1, count: slots)
        older = [Int32](repeating: -1, count: slots)
        if config.coalesce {
            fetcher = [UInt32](repeating: AttemptState.none, count: config.keys)
            firstWaiter = [UInt32](repeating: AttemptState.none, count: config.keys)
        }
    }

    /// The key a request asks for (its request key's draw: every attempt and every variant agree).
    func key(request: UInt64) -> Int {
        var draw = DrawKey.source(request, salt)
        return popularity.key(draw.nextUnit())
    }

    /// Looks `key` up: a hit (stored, not expired) becomes the most recent. An expired entry is dropped.
    mutating func lookup(_ key: Int, now: SimTime) -> Bool {
        lookups += 1
        let slot = slotOfKey[key]
        guard slot >= 0 else { return false }
        guard expiry[Int(slot)] > now else {
            remove(slot)
            return false
        }
        unlink(slot)
        pushFront(slot)
        hits += 1
        return true
    }

    /// Whether stored `key` is past its soft TTL at `now` and no refresh of it is out.
    func wantsRefresh(_ key: Int, now: SimTime) -> Bool {
        guard let soft = config.softTtl, !refreshing[key] else { return false }
        let slot = slotOfKey[key]
        return slot >= 0 && now - storedAt[Int(slot)] >= soft
    }

    /// Stores `key` until `now + ttl`, evicting the least recently used key when full.
    mutating func store(_ key: Int, now: SimTime) {
        guard !flushed, !keyOfSlot.isEmpty else { return }
        let until = config.ttl == .max ? SimTime.never : now + config.ttl
        var slot = slotOfKey[key]
        if slot >= 0 {
            unlink(slot)
        } else if used < keyOfSlot.count {
            slot = Int32(used)
            used += 1
        } else {
            slot = leastRecent
            slotOfKey[Int(keyOfSlot[Int(slot)])] = -1
            unlink(slot)
        }
        keyOfSlot[Int(slot)] = UInt32(key)
        slotOfKey[key] = slot
        expiry[Int(slot)] = until
        storedAt[Int(slot)] = now
        pushFront(slot)
    }

    /// Empties the cache (a flush).
    mutating func flush() {
        for s in 0..<used { slotOfKey[Int(keyOfSlot[s])] = -1 }
        used = 0
        mostRecent = -1
        leastRecent = -1
    }

    private mutating func remove(_ slot: Int32) {
        // Move the last used slot into this one, so slots 0 ..< used stay the ones in use.
        unlink(slot)
        slotOfKey[Int(keyOfSlot[Int(slot)])] = -1
        let last = Int32(used - 1)
        used -= 1
        guard slot != last else { return }
        let wasNewer = newer[Int(last)], wasOlder = older[Int(last)]
        keyOfSlot[Int(slot)] = keyOfSlot[Int(last)]
        expiry[Int(slot)] = expiry[Int(last)]
        storedAt[Int(slot)] = storedAt[Int(last)]
        slotOfKey[Int(keyOfSlot[Int(slot)])] = slot
        newer[Int(slot)] = wasNewer
        older[Int(slot)] = wasOlder
        if wasNewer >= 0 { older[Int(wasNewer)] = slot } else { mostRecent = slot }
        if wasOlder >= 0 { newer[Int(wasOlder)] = slot } else { leastRecent = slot }
    }

    private mutating func unlink(_ slot: Int32) {
        let n = newer[Int(slot)], o = older[Int(slot)]
        if n >= 0 { older[Int(n)] = o } else { mostRecent = o }
        if o >= 0 { newer[Int(o)] = n } else { leastRecent = n }
        newer[Int(slot)] = -1
        older[Int(slot)] = -1
    }

    private mutating func pushFront(_ slot: Int32) {
        older[Int(slot)] = mostRecent
        newer[Int(slot)] = -1
        if mostRecent >= 0 { newer[Int(mostRecent)] = slot }
        mostRecent = slot
        if leastRecent < 0 { leastRecent = slot }
    }
}
