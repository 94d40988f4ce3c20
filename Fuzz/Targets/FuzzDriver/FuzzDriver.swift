import CFuzzer
import Foundation

/// The input function of the running fuzzer (one per process).
nonisolated(unsafe) var fuzzOne: (UnsafeRawBufferPointer) -> Void = { _ in }

/// Hands `body` to libFuzzer's driver, which reads its options from the command line, and exits
/// with its status. Every target's `main` is this one call.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    fuzzOne = body
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    var count = CommandLine.argc
    exit(
        LLVMFuzzerRunDriver(&count, &arguments) { data, size in
            fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
}
