import ArgumentParser

/// `kiosque fetch`: one fetch cycle, a summary line per source, then exit.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fetch", abstract: "Run one fetch cycle of the due sources and print a line per source.")
    @OptionGroup var locations: LocationOptions
    @Flag(help: "Fetch every source, due or not.") var all = false
    @Option(name: .customLong("source"), help: ArgumentHelp("Fetch only this source (repeatable).", valueName: "id")) var sources: [String] = []
    func run() async throws { throw CLIFailure.internal("fetch is not available in this build yet") }
}

/// `kiosque parse`: read one feed and print what the parser understood.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Parse a feed file or URL and print it (JSON contract with --json).")
    @Argument(help: ArgumentHelp("A feed file or an http(s) URL.", valueName: "file|url")) var input: String
    @Flag(help: "Print the JSON contract used by tools and tests.") var json = false
    func run() throws { throw CLIFailure.internal("parse is not available in this build yet") }
}

/// `kiosque sanitize`: show how an HTML fragment will be cleaned.
struct SanitizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sanitize", abstract: "Print the sanitized HTML (or --text) of an HTML fragment.")
    @Option(help: "URL against which relative links are resolved.") var base: String?
    @Flag(help: "Print the extracted plain text instead of HTML.") var text = false
    @Argument(help: ArgumentHelp("The fragment file, or - for standard input.", valueName: "file|-")) var input: String = "-"
    func run() throws { throw CLIFailure.internal("sanitize is not available in this build yet") }
}

/// `kiosque search`: the agents' search, from the terminal.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search stored items with the portal's query syntax.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: "The query, e.g. 'délibération canal:collectivites depuis:2025-01-01'.") var query: String
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "How many results.") var limit = 20
    func run() throws { throw CLIFailure.internal("search is not available in this build yet") }
}

/// `kiosque backup`: a consistent online snapshot of the database and documents.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent snapshot of the database and the documents into a folder.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: ArgumentHelp("Destination folder.", valueName: "dir")) var destination: String
    func run() throws { throw CLIFailure.internal("backup is not available in this build yet") }
}

/// `kiosque user`: manage local accounts.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage agents' accounts.",
                                                    subcommands: [UserAdd.self, UserList.self, UserPasswd.self, UserDisable.self, UserToken.self])

    struct UserAdd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a local account.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        @Option(help: "Full name.") var name: String?
        @Option(help: "E-mail address.") var email: String?
        @Flag(help: "Make the account an administrator.") var admin = false
        @Option(help: ArgumentHelp("Department the agent belongs to.", valueName: "id")) var department: String?
        @Flag(help: "Editor of --department (may publish documents).") var editor = false
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input instead of asking.") var passwordStdin = false
        func run() throws { throw CLIFailure.internal("user management is not available in this build yet") }
    }

    struct UserList: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
        @OptionGroup var locations: LocationOptions
        func run() throws { throw CLIFailure.internal("user management is not available in this build yet") }
    }

    struct UserPasswd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a new password.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        func run() throws { throw CLIFailure.internal("user management is not available in this build yet") }
    }

    struct UserDisable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        func run() throws { throw CLIFailure.internal("user management is not available in this build yet") }
    }

    struct UserToken: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a new personal API token (the previous one stops working).")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        func run() throws { throw CLIFailure.internal("user management is not available in this build yet") }
    }
}
