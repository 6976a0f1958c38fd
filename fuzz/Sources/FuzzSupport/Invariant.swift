/// Stops the run on a broken invariant: `fatalError` aborts, and libFuzzer saves the input
/// that did it as a crash artifact, with `message` in its report. Unlike `precondition` it
/// still checks in `-Ounchecked` builds.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: " + message(), file: file, line: line) }
}
