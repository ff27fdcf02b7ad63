import Foundation
import KiosqueDocuments
import KiosqueMedia
import KiosqueStoreContract
import Logging

/// The files of announcements under `data/announcements`, content-addressed like documents:
/// attachments are checked by content (ContentSniffer: executables, macros, unknown types and
/// names that lie are refused) and pictures go through libvips (format from the bytes, pixel
/// bombs refused from the header, re-encoded so no EXIF or hidden payload survives, the longest
/// side capped at `media.max_dimension`). Rows in `announcement_files` name them.
struct AnnouncementStorage: Sendable {
    let blobs: BlobStorage
    /// The largest upload accepted (`documents.max_upload`), picture or attachment.
    let maxUploadBytes: Int64
    let processor: ImageProcessor

    /// Opens the folder and, at start-up (no upload in progress), removes interrupted uploads and
    /// files no announcement uses any more (left by a deletion through the API or a crash).
    static func make(dataDirectory: String, maxUpload: Int64, maxDimension: Int, store: any PortalStore,
                     logger: Logger) async throws -> AnnouncementStorage {
        let root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("announcements")
        let storage = AnnouncementStorage(blobs: try BlobStorage(root: root), maxUploadBytes: maxUpload,
                                          processor: ImageProcessor(maxDimension: maxDimension))
        let report = storage.blobs.check(referenced: try await store.announcementBlobHashes())
        for hash in report.orphans { storage.blobs.remove(sha256: hash) }
        if !report.missing.isEmpty {
            logger.warning("announcement files missing", metadata: ["missing": "\(report.missing.joined(separator: ","))"])
        }
        return storage
    }

    /// A temporary file for an upload, capped at `maxUploadBytes`.
    func beginUpload() throws(DocumentError) -> UploadFile {
        try blobs.beginUpload(limit: maxUploadBytes)
    }

    /// Checks an attachment by its content and makes it durable (the upload is consumed either way).
    func attachment(_ upload: UploadFile, originalName: String) throws(DocumentError) -> AnnouncementFileInput {
        do {
            let file = try blobs.commitChecked(upload, originalName: originalName)  // the departmental documents' checks
            return AnnouncementFileInput(sha256: file.sha256, size: file.size, fileName: file.fileName, mediaType: file.mediaType, kind: file.kind)
        } catch {
            upload.discard()
            throw error
        }
    }

    /// Decodes the upload as a picture and stores its re-encoded copy (the upload itself is discarded).
    func picture(_ upload: UploadFile, originalName: String, alt: String) throws(DocumentError) -> AnnouncementFileInput {
        defer { upload.discard() }
        let data: Data
        do { data = try Data(contentsOf: upload.url) } catch {
            throw .storage(path: upload.url.path, detail: "cannot read the upload: \(error.localizedDescription)")
        }
        let image: EncodedImage
        switch processor.process(data) {
        case .success(let processed): image = processed.full
        case .failure(let refusal): throw .refusedType(reason: "not a picture Kiosque accepts: \(refusal)")
        }
        let output = try blobs.beginUpload(limit: Int64(image.data.count))
        do { try output.write(image.data) } catch { output.discard(); throw error }
        let (sha, size) = try blobs.commit(output)
        let ext = image.mimeType == "image/jpeg" ? "jpg" : image.mimeType == "image/webp" ? "webp" : "png"
        let neutral = originalName.isEmpty ? "image" : FileNames.neutralise(originalName)
        let given = FileNames.fileExtension(neutral)
        let stem = given.isEmpty ? neutral : String(neutral.dropLast(given.count + 1))
        return AnnouncementFileInput(sha256: sha, size: size, fileName: (stem.isEmpty ? "image" : stem) + "." + ext,
                                     mediaType: image.mimeType, kind: ext == "jpg" ? "jpeg" : ext, width: image.width,
                                     height: image.height, alt: alt)
    }

    /// Where a file's bytes are.
    func url(_ file: AnnouncementFileInput) -> URL { blobs.url(sha256: file.sha256) }

    /// Deletes stored files no row uses any more.
    func remove(_ hashes: [String]) {
        for hash in hashes { blobs.remove(sha256: hash) }
    }

    /// Deletes an announcement the viewer manages, then its stored files no other announcement uses
    /// (the page and the API both delete this way).
    func deleteAnnouncement(id: String, by viewer: DocumentViewer, store: any PortalStore) async throws(StoreError) {
        let hashes = try await store.announcementFileHashes(announcementID: id, by: viewer)
        try await store.deleteAnnouncement(id: id, by: viewer)
        remove(try await store.unusedAnnouncementBlobs(hashes))
    }
}
