public import KiosqueStoreContract

/// Why a documents operation was refused or failed; `description` names the field or the file.
public enum DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such document or department, or one the agent may not see (the two look the same).
    case notFound(what: String, id: String)
    /// The agent may see it but not do this.
    case forbidden(action: String)
    /// The upload is larger than the configured limit (bytes).
    case tooLarge(limit: Int64)
    /// The file's content is not an accepted type, or contradicts its name.
    case refusedType(reason: String)
    /// A metadata field is missing or wrong.
    case invalidField(field: String, message: String)
    /// The file could not be written, read or moved.
    case storage(path: String, detail: String)
    /// Text extraction failed (the document stays published, flagged "not indexed").
    case extraction(kind: String, detail: String)
    /// The store failed.
    case store(StoreError)

    /// A message for logs and API answers.
    public var description: String {
        switch self {
        case .notFound(let what, let id): return "no \(what) \(id)"
        case .forbidden(let action): return "not allowed to \(action)"
        case .tooLarge(let limit): return "the file is larger than the limit of \(limit / 1_048_576) MB"
        case .refusedType(let reason): return "file refused: \(reason)"
        case .invalidField(let field, let message): return "field `\(field)`: \(message)"
        case .storage(let path, let detail): return "storage error on \(path): \(detail)"
        case .extraction(let kind, let detail): return "text extraction from \(kind) failed: \(detail)"
        case .store(let error): return error.description
        }
    }

    /// Wraps a store error, keeping "not found" as such.
    static func wrap(_ error: StoreError) -> DocumentError {
        if case .notFound(let what, let id) = error { return .notFound(what: what, id: id) }
        return .store(error)
    }
}
