extension DocumentError {
    /// The interface-catalogue key (Resources/Locales) of the message an editor sees for this
    /// refusal, in their language; the English `description` stays for logs and the API.
    /// Keys: `documents_refusal_too_large` (with `{limit}` in MB), `documents_refusal_empty`,
    /// `…_mismatch`, `…_executable`, `…_type`, and `documents_refusal_field_<field>`.
    public var messageKey: String {
        switch self {
        case .tooLarge: return "documents_refusal_too_large"
        case .invalidField(let field, _): return "documents_refusal_field_" + field
        case .refusedType(let reason):
            // The reasons are written by ContentSniffer; each family has its own advice.
            if reason == "the file is empty" { return "documents_refusal_empty" }
            if reason.hasPrefix("the name says") { return "documents_refusal_mismatch" }
            if reason.contains("executable") { return "documents_refusal_executable" }
            return "documents_refusal_type"
        default: return "documents_error_generic"
        }
    }
}
