import ArgumentParser
import Foundation
import KiosqueStore
import KiosqueWeb

/// `kiosque user`: manage agents' accounts.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage agents' accounts.",
                                                    subcommands: [Add.self, List.self, Passwd.self, Disable.self, Token.self,
                                                                  ResetTwoFactor.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a local account, subscribed to the default bouquets.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        @Option(help: "Full name.") var name: String?
        @Option(help: "E-mail address.") var email: String?
        @Flag(help: "Make the account an administrator.") var admin = false
        @Option(help: ArgumentHelp("Department the agent belongs to.", valueName: "id")) var department: String?
        @Flag(help: "Editor of --department (may publish documents).") var editor = false
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input instead of asking.") var passwordStdin = false
        @Option(help: ArgumentHelp("E-mail digest: never, daily or weekly (default: mail.default_digest).", valueName: "frequency"))
        var digest: String?

        func validate() throws {
            if let digest, !["never", "daily", "weekly"].contains(digest) { throw ValidationError("--digest must be never, daily or weekly") }
            if editor && department == nil { throw ValidationError("--editor needs --department") }
            guard login.range(of: #"^[A-Za-z0-9._@-]{1,64}$"#, options: .regularExpression) != nil else {
                throw ValidationError("the login may use letters, digits and . _ @ - (64 at most)")
            }
        }

        func run() async throws {
            let configuration = try locations.loadConfiguration(printWarnings: false)
            if let department, !configuration.catalog.departments.contains(where: { $0.id == department }) {
                throw CLIFailure.user("no department `\(department)` in \(configuration.filePath)")
            }
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "Password for \(login): ")
            let services = try await Services.open(locations, configuration: configuration)
            if try await services.store.user(login: login) != nil { throw CLIFailure.user("an account `\(login)` already exists") }
            let hash = await AccountTools.hashPassword(password)
            let user = try await services.store.createUser(NewUser(login: login, name: name ?? login, email: email, passwordHash: hash,
                                                                   isAdmin: admin, language: configuration.portal.language,
                                                                   digestFrequency: digest ?? configuration.mail.defaultDigest))
            _ = try await services.store.subscribeDefaults(userID: user.id)
            if let department { try await services.store.setMembership(userID: user.id, departmentID: department, isEditor: editor) }
            print("Created \(login)\(admin ? " (administrator)" : "").")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
        @OptionGroup var locations: LocationOptions
        func run() async throws {
            let services = try await Services.open(locations, configuration: try locations.loadConfiguration(printWarnings: false))
            for user in try await services.store.users() {
                var flags: [String] = []
                if user.isAdmin { flags.append("admin") }
                if user.isDisabled { flags.append("disabled") }
                if user.passwordHash == nil { flags.append("sso") }
                print("\(user.login)\t\(user.name)\t\(user.email ?? "-")\t\(flags.joined(separator: ","))")
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a new password (ends the account's sessions).")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        func run() async throws {
            let (services, user) = try await Services.account(login, locations)
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "New password for \(login): ")
            var update = UserUpdate()
            update.passwordHash = .some(await AccountTools.hashPassword(password))
            _ = try await services.store.updateUser(id: user.id, update)
            _ = try await services.store.removeSessions(userID: user.id)
            print("Password of \(login) changed; its sessions were ended.")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        func run() async throws {
            let (services, user) = try await Services.account(login, locations)
            var update = UserUpdate()
            update.isDisabled = true
            update.apiTokenHash = .some(nil)
            _ = try await services.store.updateUser(id: user.id, update)
            _ = try await services.store.removeSessions(userID: user.id)
            print("Disabled \(login); its sessions and API token were revoked.")
        }
    }

    /// For an administrator who lost both the phone and the recovery codes, with nobody else to reset it on the web.
    struct ResetTwoFactor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-two-factor",
                                                        abstract: "Remove an account's second factor (TOTP) and recovery codes.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        func run() async throws {
            let (services, user) = try await Services.account(login, locations)
            guard try await services.store.removeTwoFactor(userID: user.id) else {
                print("\(login) has no second factor.")
                return
            }
            // Sessions opened with the lost factor end too.
            try await services.store.removeSessions(userID: user.id)
            try? await services.store.recordSignIn(SignInEvent(method: "second_factor_reset", login: user.login, userID: user.id,
                                                               address: nil, success: true, reason: "second factor reset by kiosque user reset-two-factor"))
            print("Removed the second factor of \(login); they sign in with their password alone until they set up a new one.")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a new personal API token (the previous one stops working).")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The sign-in name.") var login: String
        func run() async throws {
            let (services, user) = try await Services.account(login, locations)
            let (token, hash) = AccountTools.newAPIToken()
            var update = UserUpdate()
            update.apiTokenHash = .some(hash)
            _ = try await services.store.updateUser(id: user.id, update)
            print(token)
        }
    }
}

extension Services {
    /// Opens the store and finds an existing account, or fails with a user error naming the login.
    static func account(_ login: String, _ locations: LocationOptions) async throws -> (Services, UserAccount) {
        let services = try await open(locations, configuration: try locations.loadConfiguration(printWarnings: false))
        guard let user = try await services.store.user(login: login) else { throw CLIFailure.user("no account `\(login)`") }
        return (services, user)
    }
}

/// Reads a password from standard input (one line) or from the terminal without echo.
enum PasswordInput {
    static func read(fromStdin: Bool, prompt: String) throws -> String {
        let password: String
        if fromStdin {
            password = readLine(strippingNewline: true) ?? ""
        } else {
            guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
                throw CLIFailure.user("no terminal to ask for the password: use --password-stdin")
            }
            password = String(cString: typed)
        }
        guard password.count >= AccountTools.minimumPasswordLength else {
            throw CLIFailure.user("the password must have at least \(AccountTools.minimumPasswordLength) characters")
        }
        return password
    }
}
