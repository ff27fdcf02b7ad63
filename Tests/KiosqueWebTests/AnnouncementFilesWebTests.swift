import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueMedia
import KiosqueModel
import KiosqueStore
@testable import KiosqueWeb
import Testing

@Suite("Announcement pictures and attachments on the web")
struct AnnouncementFilesWebTests {
    /// A JPEG whose APP1 (EXIF) segment carries a marker that must not survive re-encoding.
    static func jpegWithEXIF(width: Int, height: Int) throws -> Data {
        let jpeg = try #require(ImageProcessor.makeTestImage(width: width, height: height, format: "jpeg"))
        var exif = Data("Exif\0\0MM\0*\0\0\0\u{8}\0\0\0\0\0\0".utf8) + Data("GPS-SECRET-48.8566N".utf8)
        exif = Data([0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)]) + exif
        return jpeg.prefix(2) + exif + jpeg.dropFirst(2)
    }

    static func upload(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields, fields: [(String, String)] = [],
                       file: Data, name: String) async throws -> TestResponse {
        let (body, type) = DocumentsPermissionTests.multipart(fields, file: file, name: name)
        var headers = headers
        headers[.contentType] = type
        return try await client.execute(uri: uri, method: .post, headers: headers, body: body)
    }

    @Test("the writer adds a picture (re-encoded, EXIF gone, size capped) and attachments; only the audience downloads them")
    func picturesAndAttachmentsFollowTheAudience() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api, dataDirectory = portal.fixture.dataDirectory
        try await portal.fixture.application().test(.router) { client in
            let note = try await api.create(client, as: "claire", ["department": "communication", "title": "Plan de continuité zorglub",
                                                                   "body_markdown": "Pour la DSI.", "audience": ["departments": ["dsi"]],
                                                                   "pinned": true])
            let id = try #require(note["id"] as? String)
            // Rights first: a reader of the audience may not add files, an outsider finds nothing.
            let pdf = DocumentsPermissionTests.pdf
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("denis"), file: pdf, name: "a.pdf")
                .status == .forbidden)
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("olga"), file: pdf, name: "a.pdf")
                .status == .notFound)

            let photo = try Self.jpegWithEXIF(width: 2_400, height: 300)
            let picture = try await Self.upload(client, "/annonces/\(id)/image", headers: api.auth("claire"),
                                                fields: [("alt", "La salle des serveurs")], file: photo, name: "salle.jpg")
            #expect(picture.status == .seeOther, "\(picture.body.string)")
            #expect(picture.headers[.location] == "/annonces/\(id)/modifier")
            let attached = try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("claire"), file: pdf,
                                                 name: "plan de continuité.pdf")
            #expect(attached.status == .seeOther)

            // The page shows the picture with its alternative text and the attachment.
            let page = try await client.execute(uri: "/annonces/\(id)", method: .get, headers: api.auth("denis")).body.string
            #expect(page.contains("src=\"/annonces/\(id)/image\" alt=\"La salle des serveurs\" width=\"1600\" height=\"200\""), "\(page)")
            let link = try #require(page.range(of: "/annonces/\(id)/pieces-jointes/[0-9a-f]{32}", options: .regularExpression))
            let href = String(page[link])
            #expect(page.contains("plan de continuité.pdf"))
            // "À la une" on Ma page shows the picture too, to the audience only.
            let home = try await client.execute(uri: "/", method: .get, headers: api.auth("denis")).body.string
            #expect(home.contains("<img class=\"announcement-row__picture\" src=\"/annonces/\(id)/image\" alt=\"La salle des serveurs\" width=\"1600\" height=\"200\""),
                    "\(home)")
            #expect(!(try await client.execute(uri: "/", method: .get, headers: api.auth("olga")).body.string.contains("/annonces/\(id)")))

            // Served to the audience: re-encoded, no EXIF, capped at media.max_dimension.
            let image = try await client.execute(uri: "/annonces/\(id)/image", method: .get, headers: api.auth("denis"))
            #expect(image.status == .ok)
            #expect(image.headers[.contentType] == "image/jpeg")
            #expect(image.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let served = Data(buffer: image.body)
            #expect(served.range(of: Data("GPS-SECRET".utf8)) == nil, "the EXIF segment is gone")
            #expect(served.range(of: Data("Exif".utf8)) == nil)
            let decoded = try ImageProcessor(maxDimension: 8_192).process(served).get()
            #expect(decoded.full.width == 1_600 && decoded.full.height == 200)
            // The API gives them too.
            let json = try NewsAPI.object(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth("denis")))
            let pictureJSON = try #require(json["picture"] as? [String: Any])
            #expect(pictureJSON["url"] as? String == "/annonces/\(id)/image" && pictureJSON["alt"] as? String == "La salle des serveurs")
            #expect(pictureJSON["width"] as? Int == 1_600)
            let attachmentsJSON = try #require(json["attachments"] as? [[String: Any]])
            #expect(attachmentsJSON.map { $0["url"] as? String } == [href])
            #expect(attachmentsJSON.first?["media_type"] as? String == "application/pdf")
            // The list carries them as well (one query for all the announcements listed).
            let list = try NewsAPI.object(try await client.execute(uri: "/api/v1/announcements", method: .get, headers: api.auth("denis")))
            let listed = try #require((list["announcements"] as? [[String: Any]])?.first { $0["id"] as? String == id })
            #expect((listed["picture"] as? [String: Any])?["url"] as? String == "/annonces/\(id)/image")
            #expect((listed["attachments"] as? [[String: Any]])?.map { $0["url"] as? String } == [href])
            let download = try await client.execute(uri: href, method: .get, headers: api.auth("denis"))
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == pdf)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            // The writer and the administrator get them too; outsiders get the 404 of a file that does not exist.
            for login in ["claire", "alice"] {
                #expect(try await client.execute(uri: href, method: .get, headers: api.auth(login)).status == .ok)
            }
            for login in ["olga", "gaelle"] {
                #expect(try await client.execute(uri: href, method: .get, headers: api.auth(login)).status == .notFound, "\(login)")
                #expect(try await client.execute(uri: "/annonces/\(id)/image", method: .get, headers: api.auth(login)).status == .notFound)
            }
            #expect(try await client.execute(uri: "/annonces/\(id)/pieces-jointes/\(String(repeating: "0", count: 32))", method: .get,
                                             headers: api.auth("denis")).status == .notFound)

            // The editing page lists them with a way to remove each.
            let editor = try await client.execute(uri: "/annonces/\(id)/modifier", method: .get, headers: api.auth("claire")).body.string
            #expect(editor.contains("action=\"\(href)/supprimer\""))
            #expect(editor.contains("action=\"/annonces/\(id)/image/supprimer\""))
            #expect(editor.contains("enctype=\"multipart/form-data\""))
            #expect(try await client.execute(uri: "\(href)/supprimer", method: .post, headers: api.auth("denis")).status == .forbidden)
            #expect(try await client.execute(uri: "\(href)/supprimer", method: .post, headers: api.auth("claire")).status == .seeOther)
            #expect(try await client.execute(uri: href, method: .get, headers: api.auth("denis")).status == .notFound)
            #expect(try await client.execute(uri: "/annonces/\(id)/image/supprimer", method: .post, headers: api.auth("claire")).status
                    == .seeOther)
            #expect(try await client.execute(uri: "/annonces/\(id)/image", method: .get, headers: api.auth("denis")).status == .notFound)
            // Their stored files went with the last rows using them.
            let folder = dataDirectory + "/announcements"
            let left = FileManager.default.subpaths(atPath: folder)?.filter { $0.count > 60 && !$0.hasPrefix("tmp") } ?? []
            #expect(left.isEmpty, "\(left)")
        }
    }

    @Test("deleting an announcement through the API deletes its stored files with it")
    func apiDeletionRemovesFiles() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api, folder = portal.fixture.dataDirectory + "/announcements"
        try await portal.fixture.application().test(.router) { client in
            let note = try await api.create(client, as: "claire", ["department": "communication", "title": "Éphémère zorglub"])
            let id = try #require(note["id"] as? String)
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("claire"),
                                          file: DocumentsPermissionTests.pdf, name: "a.pdf").status == .seeOther)
            func stored() -> [String] { FileManager.default.subpaths(atPath: folder)?.filter { $0.count > 60 && !$0.hasPrefix("tmp") } ?? [] }
            #expect(stored().count == 1)
            #expect(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .delete, headers: api.auth("claire")).status
                    == .noContent)
            #expect(stored().isEmpty)
        }
    }

    @Test("refusals: a fake picture, an executable, a name that lies, too large, and no CSRF token from a browser")
    func refusals() async throws {
        let portal = try await NewsPortal.make { configuration in configuration.documents.maxUploadBytes = 1 << 20 }
        let api = portal.api, store = portal.fixture.store
        try await portal.fixture.application().test(.router) { client in
            let note = try await api.create(client, as: "claire", ["department": "communication", "title": "Refus zorglub"])
            let id = try #require(note["id"] as? String)
            let html = Data("<html><script>alert(1)</script></html>".utf8)
            let fake = try await Self.upload(client, "/annonces/\(id)/image", headers: api.auth("claire"), file: html, name: "photo.jpg")
            #expect(fake.status == .unsupportedMediaType)
            #expect(fake.body.string.contains("Image refusée"))
            let svg = Data("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".utf8)
            #expect(try await Self.upload(client, "/annonces/\(id)/image", headers: api.auth("claire"), file: svg, name: "logo.svg").status
                    == .unsupportedMediaType)
            let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]) + Data(repeating: 0, count: 64)
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("claire"), file: elf, name: "outil.pdf")
                .status == .unsupportedMediaType)
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("claire"),
                                          file: DocumentsPermissionTests.pdf, name: "note.docx").status == .unsupportedMediaType)
            let big = DocumentsPermissionTests.pdf + Data(repeating: 0x20, count: 2 << 20)
            #expect(try await Self.upload(client, "/annonces/\(id)/pieces-jointes", headers: api.auth("claire"), file: big, name: "gros.pdf")
                .status == .contentTooLarge)
            #expect(try await store.announcementBlobHashes().isEmpty, "nothing refused was recorded")

            var writer = Browser()
            _ = try await writer.signIn(client, login: "claire")
            let (body, type) = DocumentsPermissionTests.multipart([], file: DocumentsPermissionTests.pdf, name: "a.pdf")
            let noToken = try await client.execute(uri: "/annonces/\(id)/pieces-jointes", method: .post,
                                                   headers: writer.headers(extra: [.contentType: type]), body: body)
            #expect(noToken.status == .forbidden)
            let token = try await writer.csrf(client)
            let withToken = try await client.execute(uri: "/annonces/\(id)/pieces-jointes?_csrf=\(token)", method: .post,
                                                     headers: writer.headers(extra: [.contentType: type]), body: body)
            #expect(withToken.status == .seeOther)
            let files = try await store.announcementFiles(announcementID: id, viewer: DocumentViewer(userID: 0, isAdmin: true))
            #expect(files.count == 1)
            #expect(try await writer.post(client, "/annonces/\(id)/pieces-jointes/\(files[0].id)/supprimer", []).status == .forbidden)
        }
    }
}
