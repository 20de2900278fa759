/// A message queue in the Amazon SQS model (a service of `"kind": "sqs"`): producers (its callers) send messages,
/// which are accepted at once; `consumers` consumers each receive up to `batch` visible messages and process them
/// one after another (a consumer with nothing to receive long-polls: it receives as soon as a message is visible;
/// the empty receives that end each 20 s wait change nothing else and are not modelled): the service's `serviceTime`, then its
/// `calls` with its `policy`. A message received becomes invisible for `visibilityTimeout` from the receive; a
/// processing that succeeds deletes it (only with the latest receipt: a message received again meanwhile is not
/// deleted by an earlier holder); one that fails leaves it to reappear when the timeout expires, or, with
/// `visibilityBackoff`, after min(base x 2^(receives - 1), max) (ChangeMessageVisibility). A message received more
/// than `maxReceiveCount` times goes to the dead-letter queue instead.
public struct MessageQueueConfig: Equatable, Sendable {
    public var consumers: Int
    public var batch: Int = 10
    public var visibilityTimeout: SimDuration = .seconds(30)
    /// nil: no dead-letter queue (messages are received for ever).
    public var maxReceiveCount: Int? = nil
    public var backoffBase: SimDuration? = nil
    public var backoffMax: SimDuration = .seconds(900)

    public init(consumers: Int) { self.consumers = consumers }

    /// The visibility a failed processing sets for a message received `receives` times (with a backoff).
    public func backoff(receives: Int) -> SimDuration? {
        guard let base = backoffBase else { return nil }
        let ns = Double(base.nanoseconds) * PortableMath.power(2, max(0, receives - 1))
        return SimDuration(saturating: min(ns, Double(backoffMax.nanoseconds)))
    }
}
