public import Foundation
public import KiosqueModel

extension FetchAttempt {
    /// The health record of one fetch, before parsing adds item counts, warnings and discovered feeds.
    public init(sourceID: String, startedAt: Date, result: Result<FetchResponse, FetchFailure>) {
        switch result {
        case .success(let response):
            self.init(sourceID: sourceID, startedAt: startedAt, duration: response.duration, httpStatus: response.status,
                      bytes: response.bytesDownloaded, notModified: response.notModified,
                      permanentRedirect: response.permanentRedirect)
        case .failure(let failure):
            self.init(sourceID: sourceID, startedAt: startedAt, duration: failure.duration, httpStatus: failure.httpStatus,
                      errorClass: failure.errorClass, errorMessage: failure.message, bytes: failure.bytesDownloaded)
        }
    }
}

extension FetchOutcome {
    /// The scheduling outcome of a fetch result.
    public init(_ result: Result<FetchResponse, FetchFailure>) {
        switch result {
        case .success: self = .success
        case .failure(let failure): self = .failure(failure.errorClass)
        }
    }
}
