import XCTest
final class ParquetTestsSmoke: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
