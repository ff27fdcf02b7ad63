import Foundation
import KiosqueModel
import Yams

extension NodeReader {
    /// A secret that channels.yml names but never holds: `<envKey>: VARIABLE` or `<fileKey>: /path` (relative
    /// to the file). A malformed variable name is an error; a variable not set or a file not readable here is
    /// a warning (`kiosque check` may run elsewhere than the portal). `label(key)` starts each message
    /// (e.g. "`auth.ldap.bind_password_env`"), `consequence` ends the warnings.
    func secretReference(_ f: Fields, envKey: String, fileKey: String, field: String, label: (String) -> String,
                         example: String, consequence: String,
                         environment: [String: String]) -> SecretReference? {
        if let v = f[envKey], let name = nonEmptyString(v, field: "\(field).\(envKey)") {
            guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                error(v, "\(label(envKey)) must name an environment variable such as \(example), found `\(name)`")
                return nil
            }
            if environment[name] == nil {
                warning(v, "\(label(envKey)): the environment variable \(name) is not set here; \(consequence)")
            }
            return .environment(name)
        }
        if let v = f[fileKey], let path = nonEmptyString(v, field: "\(field).\(fileKey)") {
            let resolved = path.hasPrefix("/") ? path : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            if !FileManager.default.isReadableFile(atPath: resolved) {
                warning(v, "\(label(fileKey)): \(resolved) cannot be read here; \(consequence)")
            }
            return .file(path)
        }
        return nil
    }
}
