/// Process exit codes shared by every `kiosque` subcommand.
public enum KiosqueExit {
    /// Everything went well.
    public static let success: Int32 = 0
    /// The user's input or invocation was wrong; a one-line message went to stderr.
    public static let userError: Int32 = 1
    /// Kiosque itself failed (a bug, an unreachable store).
    public static let internalFailure: Int32 = 2
}
