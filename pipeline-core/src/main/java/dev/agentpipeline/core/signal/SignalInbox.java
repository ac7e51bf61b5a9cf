package dev.agentpipeline.core.signal;

import dev.agentpipeline.core.engine.Signal;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.internal.JsonSyntaxException;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.SharedFiles;
import dev.agentpipeline.core.store.StoreException;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The signal inbox of a state directory: one flat directory ({@code <state dir>/inbox/}) where a signal for any run
 * is published as a file, for a {@link SignalWatcher} to record in the run's journal. One directory for every run,
 * so one watch covers thousands of runs.
 *
 * <p>A file is named {@code <runId>~<signalName>~<nonce>.json} (run ids and signal names never contain {@code ~})
 * and holds a JSON envelope:
 * <pre>
 * {"schema_version": 1, "run_id": "phases-P1-0a1b2c", "name": "PHASE_7", "signal_id": "sha256:...",
 *  "source": "cli", "payload": {"phase": 7, "status": "success", ...}}
 * </pre>
 * It is written whole under a temporary name that starts with {@code .}, forced to disk, renamed into place and its
 * directory forced: a watcher never sees half a file, and a published signal survives a crash.
 *
 * <pre>{@code
 * SignalInbox inbox = SignalInbox.of(store);
 * Path file = inbox.publish(runId, Signal.of("PHASE_7", payload, "api"));
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SignalInbox {

    /** The inbox's name in the state directory. */
    public static final String DIRECTORY = "inbox";
    /** The envelope's format version. */
    public static final int SCHEMA_VERSION = 1;
    /** What separates the run id, the signal name and the nonce in a file name. */
    public static final String SEPARATOR = "~";
    /** The extension of every inbox file. */
    public static final String EXTENSION = ".json";

    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final Supplier<Path> creator;

    private SignalInbox(Path directory, Supplier<Path> creator) {
        this.directory = directory;
        this.creator = creator;
    }

    /**
     * The inbox of a file store: {@code <root>/inbox/}, created (with the state directory's {@code .gitignore}) when
     * first written to.
     *
     * @param store the store
     * @return its inbox
     */
    public static SignalInbox of(FileRunStore store) {
        Objects.requireNonNull(store, "store");
        return new SignalInbox(store.root().resolve(DIRECTORY), () -> store.sharedDirectory(DIRECTORY));
    }

    /**
     * An inbox in a directory of the caller's choice, created when first written to.
     *
     * @param directory the directory
     * @return the inbox
     */
    public static SignalInbox at(Path directory) {
        Path dir = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
        return new SignalInbox(dir, () -> {
            try {
                return Files.createDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("io_error", "Cannot create the signal inbox " + dir + ": " + e.getMessage()
                        + ".", "Check that its parent is writable.", e);
            }
        });
    }

    /** @return the inbox directory (which may not exist yet) */
    public Path directory() {
        return directory;
    }

    /**
     * Creates the inbox directory if it is missing.
     *
     * @return the directory
     * @throws StoreException if it cannot be created
     */
    public Path create() {
        return creator.get();
    }

    /**
     * Publishes a signal for a run: the envelope is written under a temporary name, forced, renamed into place and
     * the directory forced, so it is on disk when this returns. Nothing checks here that the run exists or waits for
     * the signal: the watcher's {@code receiveSignal} judges it (and sets it aside with a reason when it does not
     * fit); {@code pipeline signal} checks before it publishes.
     *
     * @param runId the run
     * @param signal the signal
     * @return the file written
     * @throws dev.agentpipeline.core.run.Ids.InvalidIdException if the run id is not a safe id
     * @throws StoreException {@code io_error} if it cannot be written (nothing is then left in the inbox)
     */
    public Path publish(String runId, Signal signal) {
        Ids.requireSafe("run id", runId);
        Objects.requireNonNull(signal, "signal");
        String nonce = HexFormat.of().formatHex(randomBytes(8));
        Path dir = create();
        Path file = dir.resolve(fileName(runId, signal.name(), nonce));
        try {
            SharedFiles.replace(file, "." + nonce + ".tmp", envelope(runId, signal));
        } catch (IOException e) {
            throw new StoreException("io_error", "Cannot publish signal " + signal.name() + " for run " + runId
                    + " into " + dir + ": " + e.getMessage() + ".", "Check free disk space and the directory's"
                    + " permissions, then publish it again.", e);
        }
        return file;
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * @param runId a run id
     * @param signalName a signal name
     * @param nonce what tells two files of the same run and signal apart
     * @return the inbox file name {@code <runId>~<signalName>~<nonce>.json}
     * @throws IllegalArgumentException if one of them is not valid
     */
    public static String fileName(String runId, String signalName, String nonce) {
        Ids.requireSafe("run id", runId);
        Signal.requireName(signalName);
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("nonce '" + nonce + "' must be 1 to 64 letters, digits, '_', '.' or"
                    + " '-'");
        }
        return runId + SEPARATOR + signalName + SEPARATOR + nonce + EXTENSION;
    }

    /**
     * Reads an inbox file's name.
     *
     * @param fileName a file name ({@code phases-P1-0a1b2c~PHASE_7~3f9e.json})
     * @return the run, signal name and nonce it names
     * @throws IllegalArgumentException saying what is wrong when it is not an inbox file's name
     */
    public static Address address(String fileName) {
        Objects.requireNonNull(fileName, "fileName");
        String layout = "; inbox files are named <run id>~<signal name>~<nonce>" + EXTENSION;
        if (!fileName.endsWith(EXTENSION)) {
            throw new IllegalArgumentException("'" + fileName + "' does not end with " + EXTENSION + layout);
        }
        String[] parts = fileName.substring(0, fileName.length() - EXTENSION.length()).split(SEPARATOR, -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + fileName + "' has " + (parts.length - 1) + " '" + SEPARATOR
                    + "' instead of 2" + layout);
        }
        try {
            fileName(parts[0], parts[1], parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + fileName + "': " + e.getMessage() + layout, e);
        }
        return new Address(parts[0], parts[1], parts[2]);
    }

    /**
     * The envelope of a signal, as {@link #publish} writes it.
     *
     * @param runId the run
     * @param signal the signal
     * @return the file's content (pretty JSON and a newline, UTF-8)
     */
    public static byte[] envelope(String runId, Signal signal) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schema_version", SCHEMA_VERSION);
        json.put("run_id", Ids.requireSafe("run id", runId));
        json.put("name", signal.name());
        json.put("signal_id", signal.id());
        json.put("source", signal.source());
        json.put("payload", signal.payload());
        return (Json.pretty(json) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads an inbox file: its name and its envelope must agree. The signal's id is the envelope's
     * {@code signal_id} when it has one, else {@link Signal#of} makes it from the payload.
     *
     * @param fileName the file's name
     * @param content the file's bytes
     * @return the run and the signal
     * @throws IllegalArgumentException saying what is wrong (with line and column for malformed JSON)
     */
    public static Message read(String fileName, byte[] content) {
        Address address = address(fileName);
        Map<String, Object> json = parseObject(content);
        if (!(json.get("schema_version") instanceof Number version) || version.doubleValue() != SCHEMA_VERSION) {
            throw new IllegalArgumentException("$.schema_version must be " + SCHEMA_VERSION + ", got "
                    + describe(json.get("schema_version")));
        }
        if (!address.runId().equals(json.get("run_id"))) {
            throw new IllegalArgumentException("$.run_id is " + describe(json.get("run_id")) + " but the file name"
                    + " says '" + address.runId() + "'");
        }
        if (!address.name().equals(json.get("name"))) {
            throw new IllegalArgumentException("$.name is " + describe(json.get("name")) + " but the file name says '"
                    + address.name() + "'");
        }
        Object source = json.get("source");
        if (source != null && !(source instanceof String)) {
            throw new IllegalArgumentException("$.source must be a text, got " + Json.typeName(source));
        }
        if (!(json.get("payload") instanceof Map<?, ?> given)) {
            throw new IllegalArgumentException("$.payload must be a JSON object, got "
                    + Json.typeName(json.get("payload")));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) given;
        String origin = source == null || ((String) source).isBlank() ? DIRECTORY : (String) source;
        Object id = json.get("signal_id");
        if (id != null && !(id instanceof String)) {
            throw new IllegalArgumentException("$.signal_id must be a text, got " + Json.typeName(id));
        }
        Signal signal = id == null ? Signal.of(address.name(), payload, origin)
                : new Signal((String) id, address.name(), payload, origin);
        return new Message(address.runId(), signal);
    }

    /**
     * Parses a file's bytes as one JSON object (strict UTF-8).
     *
     * @param content the bytes
     * @return the object
     * @throws IllegalArgumentException saying what is wrong, with line and column
     */
    static Map<String, Object> parseObject(byte[] content) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8 text (" + e.getMessage() + ")", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try {
            return Json.parseObject(text);
        } catch (JsonSyntaxException e) {
            throw new IllegalArgumentException("not one JSON object: " + e.getMessage(), e);
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
        }
        return "an " + Json.typeName(value);
    }

    @Override
    public String toString() {
        return "SignalInbox[" + directory + "]";
    }

    /**
     * What an inbox file's name says.
     *
     * @param runId the run the signal is for
     * @param name the signal's name
     * @param nonce what tells two files of the same run and signal apart
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public record Address(String runId, String name, String nonce) {

        /** Validates. */
        public Address {
            Ids.requireSafe("run id", runId);
            Signal.requireName(name);
            Objects.requireNonNull(nonce, "nonce");
        }
    }

    /**
     * An inbox file, read.
     *
     * @param runId the run the signal is for
     * @param signal the signal
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public record Message(String runId, Signal signal) {

        /** Validates. */
        public Message {
            Ids.requireSafe("run id", runId);
            Objects.requireNonNull(signal, "signal");
        }
    }
}
