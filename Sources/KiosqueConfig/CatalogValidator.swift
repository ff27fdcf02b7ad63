import KiosqueModel

/// Checks what no single entry can check alone: references between lists, and things that are
/// legal but probably not meant (warnings).
struct CatalogValidator {
    let reader: NodeReader

    func validate(_ config: PortalConfiguration) {
        for ref in reader.pendingReferences where reader.declared[ref.kind]?[ref.id] == nil {
            var message = "\(ref.owner) refers to unknown \(ref.kind) `\(ref.id)`"
            if let near = NodeReader.closest(to: ref.id, in: Array(reader.declared[ref.kind]?.keys ?? [:].keys)) {
                message += " (did you mean `\(near)`?)"
            }
            reader.error(ref.node, message)
        }
        let catalog = config.catalog
        let usedSources = Set(catalog.channels.flatMap(\.sources))
        for source in catalog.sources where !usedSources.contains(source.id) {
            reader.warning(reader.declared["source"]?[source.id], "source `\(source.id)` is in no channel: it will be fetched but nobody will see it")
        }
        let usedChannels = Set(catalog.bouquets.flatMap(\.channels))
        for channel in catalog.channels {
            if channel.sources.isEmpty {
                reader.warning(reader.declared["channel"]?[channel.id], "channel `\(channel.id)` has no sources: it will stay empty")
            }
            if !usedChannels.contains(channel.id) {
                reader.warning(reader.declared["channel"]?[channel.id], "channel `\(channel.id)` is in no bouquet: agents will not find it in the catalogue")
            }
        }
        for bouquet in catalog.bouquets where bouquet.channels.isEmpty {
            reader.warning(reader.declared["bouquet"]?[bouquet.id], "bouquet `\(bouquet.id)` is empty")
        }
        if !catalog.bouquets.isEmpty && !catalog.bouquets.contains(where: \.isDefault) {
            reader.warning(nil, "no bouquet is marked `default: true`: new agents will start with an empty page")
        }
        if config.fetch.perHost > config.fetch.concurrency {
            reader.warning(nil, "`fetch.per_host` (\(config.fetch.perHost)) is larger than `fetch.concurrency` (\(config.fetch.concurrency)); the global limit wins")
        }
    }
}
