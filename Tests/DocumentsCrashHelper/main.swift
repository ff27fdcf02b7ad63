// A child process for the crash-during-upload test: it opens the store and the library given as
// arguments, publishes one small document (proving it works), then streams a second upload
// forever, printing "writing" once started, until the test kills it with SIGKILL.
import Foundation
import KiosqueDocuments
import KiosqueStore

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: DocumentsCrashHelper <database> <documents folder> <editor id>\n".utf8))
    exit(2)
}
let store = try AppDatabase.open(path: arguments[1])
let library = try DocumentLibrary(root: URL(fileURLWithPath: arguments[2]), store: store, extractsInBackground: false)
let editor = DocumentViewer(userID: Int64(arguments[3]) ?? 0, isAdmin: false)
let first = try library.beginUpload()
try first.write(Data("Premier document, complet.\n".utf8))
let record = try await library.publish(first, originalName: "complet.txt", departmentID: "finances",
                                       metadata: DocumentMetadata(title: "Complet"), viewer: editor)
FileHandle.standardOutput.write(Data("published \(record.id)\n".utf8))
let second = try library.beginUpload()
let chunk = Data(repeating: 0x61, count: 4_096)
try second.write(chunk)
FileHandle.standardOutput.write(Data("writing\n".utf8))
while true {
    try second.write(chunk)
    usleep(1_000)
}
