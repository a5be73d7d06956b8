import Foundation

extension Bench {
    func served() throws {}
}
