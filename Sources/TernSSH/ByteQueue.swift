/// Bytes waiting to be written somewhere: appended at the back, consumed
/// from the front, without shifting the array on every partial write.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    /// Offers the unread bytes to `write`, which returns how many it took
    /// (or a negative number for none); returns what `write` returned.
    @discardableResult
    mutating func drain(_ write: (UnsafeRawBufferPointer) -> Int) -> Int {
        guard !isEmpty else { return 0 }
        let written = storage.withUnsafeBytes { all in
            write(UnsafeRawBufferPointer(rebasing: all[head...]))
        }
        if written > 0 { consume(written) }
        return written
    }

    private mutating func consume(_ n: Int) {
        head += n
        if head == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 1 << 20)
            head = 0
        } else if head >= 1 << 16 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}
