package dev.agentpipeline.core.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks across threads and processes: a reentrant lock per file inside the JVM, and an OS file lock
 * ({@link FileChannel#tryLock()}) held while the JVM's hold count is above zero. Waiting is bounded.
 */
final class FileLocks {

    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Path, Path> KEYS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    private static final class Holder {
        final ReentrantLock lock = new ReentrantLock(true);
        FileChannel channel;
        FileLock fileLock;
        int depth;
    }

    static RunLock acquire(Path lockFile, Duration timeout, String what) {
        Path key = key(lockFile);
        Holder holder = HOLDERS.computeIfAbsent(key, k -> new Holder());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!holder.lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException(what, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted", "Interrupted while waiting for " + what + ".", "", e);
        }
        try {
            if (holder.depth == 0) {
                lockFile(holder, key, deadline, timeout, what);
            }
            holder.depth++;
        } catch (RuntimeException e) {
            holder.lock.unlock();
            throw e;
        }
        return () -> release(holder);
    }

    /**
     * The lock file's real path: one holder, so one channel, per file in this JVM. Two channels on one file must not
     * be: closing either drops every OS lock the process holds on the file (POSIX record locks), so a second store
     * reaching the directory through a symbolic link would release the first one's lock when it gave up waiting.
     */
    private static Path key(Path lockFile) {
        Path normalized = lockFile.toAbsolutePath().normalize();
        Path key = KEYS.get(normalized);
        if (key == null) {
            try {
                Files.createDirectories(normalized.getParent());
                key = normalized.getParent().toRealPath().resolve(normalized.getFileName());
            } catch (IOException e) {
                throw new StoreException("io_error", "Cannot lock " + normalized + ": " + e.getMessage() + ".",
                        "Check that the directory exists and is writable.", e);
            }
            KEYS.putIfAbsent(normalized, key);
        }
        return key;
    }

    private static void lockFile(Holder holder, Path file, long deadline, Duration timeout, String what) {
        FileChannel channel = null;
        try {
            channel = openLockFile(file);
            long pauseNanos = TimeUnit.MICROSECONDS.toNanos(200);
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // locked through another channel of this JVM (not through FileLocks); wait
                }
                if (lock != null) {
                    holder.channel = channel;
                    holder.fileLock = lock;
                    return;
                }
                if (System.nanoTime() >= deadline) {
                    throw new LockTimeoutException(what, timeout);
                }
                LockSupport.parkNanos(pauseNanos);
                pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(20));
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted", "Interrupted while waiting for " + what + ".", "", null);
                }
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("io_error", "Cannot lock " + file + ": " + e.getMessage() + ".",
                    "Check that the directory exists and is writable.", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Opens (creating it if needed) a lock file; creates its directory only when it is missing. Creating the
     * directories up front cost every acquisition a failed mkdir, an exception and an lstat.
     */
    private static FileChannel openLockFile(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent()); // the first lock of a new run or subject
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    private static void release(Holder holder) {
        if (!holder.lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("A run lock must be released by the thread that acquired it");
        }
        try {
            holder.depth--;
            if (holder.depth == 0) {
                try {
                    holder.fileLock.release();
                } catch (IOException e) {
                    // Closing the channel below releases the lock as well.
                } finally {
                    closeQuietly(holder.channel);
                    holder.fileLock = null;
                    holder.channel = null;
                }
            }
        } finally {
            holder.lock.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: closing releases the lock anyway
            }
        }
    }
}
