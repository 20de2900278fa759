/// Derives independent random streams from one root seed and stable text labels.
///
/// A stream depends only on `(seed, label)`: adding a component (a service, a client) never shifts another
/// component's draws, and two runs with the same seed draw the same numbers whatever else changed. Labels are
/// hashed with FNV-1a (stable across processes and platforms; Swift's `Hasher` is seeded per process and must never
/// be used here), then mixed with the seed through SplitMix64.
public struct RandomStreams: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The stream for `label`, e.g. `"service/api/time"`.
    public func stream(_ label: String) -> Xoshiro256 {
        Xoshiro256(seed: key(label))
    }

    /// The 64-bit key of a label: the seed of its stream, or a salt for keyed draws.
    public func key(_ label: String) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ RandomStreams.fnv1a(label))
        return mixer.next()
    }

    /// 64-bit FNV-1a of the label's UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// A family of streams under one label, indexed by numbers: client 17's arrivals, or the jitter of request 3 of
/// client 17. The label is hashed once; deriving a member costs a few multiplications.
public struct StreamFamily: Sendable {
    let key: UInt64

    public init(streams: RandomStreams, label: String) {
        key = streams.key(label)
    }

    /// The stream of member `(i, j)`.
    public func stream(_ i: UInt64, _ j: UInt64 = 0) -> Xoshiro256 {
        var mixer = SplitMix64(seed: key ^ (i &* 0xD6E8_FEB8_6659_FD93))
        var inner = SplitMix64(seed: mixer.next() ^ (j &* 0x9E37_79B9_7F4A_7C15))
        return Xoshiro256(seed: inner.next())
    }
}
