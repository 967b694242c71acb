import Contracts
import Foundation

/// Remembers connected stores by (platform, domain) for a short time, so that most webhook deliveries need no
/// database round trip. Changes made through this gateway take effect at once (`invalidate`); changes made through
/// another gateway replica within `ttl`.
actor StoreCache {
    private struct Key: Hashable {
        var platform: StorePlatform
        var domain: String
    }

    private var entries: [Key: (store: ConnectedStore?, expires: ContinuousClock.Instant)] = [:]
    private let repository: StoreRepository
    private let ttl: Duration

    init(repository: StoreRepository, ttl: Duration = .seconds(10)) {
        self.repository = repository
        self.ttl = ttl
    }

    /// The store connected for `platform` at `domain` (normalised), or nil.
    func store(platform: StorePlatform, domain: String) async throws -> ConnectedStore? {
        let key = Key(platform: platform, domain: domain)
        let now = ContinuousClock.now
        if let entry = entries[key], entry.expires > now { return entry.store }
        let store = try await repository.store(platform: platform, domain: domain)
        if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
        // Unknown domains are remembered too, briefly, so that a flood of forged deliveries is not a flood of queries.
        entries[key] = (store, now + (store == nil ? .seconds(2) : ttl))
        return store
    }

    /// Forgets what is cached for this store, after it was created or its secrets changed.
    func invalidate(platform: StorePlatform, domain: String) {
        entries[Key(platform: platform, domain: domain)] = nil
    }
}
