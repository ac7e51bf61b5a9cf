package dev.agentpipeline.cli.daemon;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The files of a daemon and the checks that keep them private. A daemon directory holds:
 *
 * <pre>
 * sock        the Unix domain socket the daemon listens on (mode 0600)
 * lock        locked by the daemon for its whole life: at most one daemon per directory
 * pid         the daemon's process id, while it listens
 * daemon.log  the daemon's output (and the JVM's), appended; started afresh past 1 MiB
 * </pre>
 *
 * <p>The directory must be a real directory (not a symbolic link) owned by this process's user with no group or
 * other permissions (0700), and the socket a socket owned by the same user without group or other permissions:
 * nobody else can then connect to the daemon, replace its socket or read its log. Anything else is refused, never
 * repaired.
 *
 * <p>On the client's fast path: JDK only, no lambdas.
 */
final class DaemonFiles {

    static final String SOCKET = "sock";
    static final String LOCK = "lock";
    static final String PID = "pid";
    static final String LOG = "daemon.log";

    /**
     * The longest socket path in bytes that every Unix takes ({@code sun_path} is 108 bytes on Linux, 104 on
     * macOS, both with a terminating zero).
     */
    static final int MAX_SOCKET_PATH = 100;

    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int SOCKET_TYPE = 0140000;
    private static final int GROUP_AND_OTHER = 077;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private static int uid = Integer.MIN_VALUE;

    private DaemonFiles() {
    }

    /**
     * Checks that a directory is private to this user.
     *
     * @param dir the directory
     * @return null when it is, else why not
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException if it cannot be read
     */
    static String directoryProblem(Path dir) throws IOException {
        return problem(dir, DIRECTORY, "a directory");
    }

    /**
     * Checks that a socket is private to this user.
     *
     * @param socket the socket file
     * @return null when it is, else why not
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException if it cannot be read
     */
    static String socketProblem(Path socket) throws IOException {
        return problem(socket, SOCKET_TYPE, "a socket");
    }

    private static String problem(Path path, int type, String what) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attributes.get("mode");
        int owner = (Integer) attributes.get("uid");
        if ((mode & TYPE_MASK) != type) {
            return path + " is not " + what;
        }
        int me = uid();
        if (owner != me) {
            return path + " belongs to user id " + owner + ", not to this user (" + me + ")";
        }
        if ((mode & GROUP_AND_OTHER) != 0) {
            return path + " is open to its group or to others (mode " + Integer.toOctalString(mode & 07777)
                    + "); it must be accessible to its owner only (chmod 700 for the directory)";
        }
        return null;
    }

    /**
     * Creates a private directory (0700) and its missing parents (as private), or checks that an existing one is
     * private.
     *
     * @param dir the directory
     * @return null when the directory is private, else why not
     * @throws IOException if it cannot be created
     */
    static String createPrivateDirectory(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirectory(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.setPosixFilePermissions(dir, OWNER_ONLY); // exactly 0700, whatever the umask
        } catch (FileAlreadyExistsException e) {
            // made by someone else meanwhile, or there before: checked below like any existing directory
        }
        return directoryProblem(dir);
    }

    /**
     * This process's user id: the owner of {@code /proc/self} on Linux, else from the JDK's Unix login module.
     *
     * @return the user id
     * @throws IOException if it cannot be found
     */
    static int uid() throws IOException {
        int known = uid;
        if (known != Integer.MIN_VALUE) {
            return known;
        }
        int found;
        Path self = Path.of("/proc/self");
        if (Files.isDirectory(self)) {
            found = (Integer) Files.getAttribute(self, "unix:uid");
        } else {
            try {
                found = (int) new com.sun.security.auth.module.UnixSystem().getUid();
            } catch (LinkageError e) { // a runtime image without jdk.security.auth
                throw new IOException("cannot find this process's user id: " + e, e);
            }
        }
        uid = found;
        return found;
    }
}
