package dev.agentpipeline.core.story;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.agentpipeline.core.internal.Json;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The business questions of a story: what only a person can decide (a payment provider, an auth flow), asked in
 * one batch before execution and kept with the run as {@code business_answers}, which every stage gets as an
 * input. The ln-1000 skill finds them in the story's brief; here they come from a story file's
 * {@code <!-- ORCHESTRATOR_BRIEF_START -->} ... {@code <!-- ORCHESTRATOR_BRIEF_END -->} block or from a questions
 * file.
 *
 * <p>In a brief, the questions are the list items under a line {@code Business questions:} (or a heading of that
 * name), up to the next blank line or heading:
 * <pre>
 * &lt;!-- ORCHESTRATOR_BRIEF_START --&gt;
 * Tech: Java 17, Spring Boot
 * Business questions:
 * - payment: Which payment provider? (Stripe/PayPal/both)
 * - Auth flow: JWT or session-based?
 * &lt;!-- ORCHESTRATOR_BRIEF_END --&gt;
 * </pre>
 * An item {@code id: text} whose id is a lowercase word ({@code [a-z][a-z0-9_]*}) names the answer's key; others are
 * numbered {@code q1}, {@code q2}... in order. Choices in a trailing {@code (A/B/C)} become the question's options.
 *
 * <p>A questions file ({@code .yaml}, {@code .yml} or {@code .json}) is a list of {@code {id, question, options}}:
 * <pre>
 * - id: payment
 *   question: Which payment provider?
 *   options: [Stripe, PayPal, both]
 * </pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class BusinessQuestions {

    /** The marker that opens a story's brief. */
    public static final String BRIEF_START = "<!-- ORCHESTRATOR_BRIEF_START -->";
    /** The marker that closes a story's brief. */
    public static final String BRIEF_END = "<!-- ORCHESTRATOR_BRIEF_END -->";

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern HEADER = Pattern.compile("(?i)^\\s*(?:#+\\s*)?\\**business questions\\**\\s*:?\\s*$");
    private static final Pattern ITEM = Pattern.compile("^\\s*(?:[-*+]|\\d+[.)])\\s+(.+?)\\s*$");
    private static final Pattern NAMED = Pattern.compile("^([a-z][a-z0-9_]{0,39}):\\s+(.+)$");
    private static final Pattern OPTIONS = Pattern.compile("^(.*?)\\s*\\(([^()]*/[^()]*)\\)\\s*([?.!]?)\\s*$");

    /**
     * One question.
     *
     * @param id the key of its answer in {@code business_answers}
     * @param text the question
     * @param options the choices offered, possibly none (any answer is accepted)
     */
    public record Question(String id, String text, List<String> options) {

        /** Validates and copies. */
        public Question {
            Objects.requireNonNull(id, "id");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("A question id must be a lowercase word of letters, digits and"
                        + " '_', starting with a letter (got '" + id + "')");
            }
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("Question '" + id + "' has no text");
            }
            options = List.copyOf(options);
        }

        /** @return the question as JSON: {@code {id, question, options}} */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", id);
            json.put("question", text);
            json.put("options", new ArrayList<Object>(options));
            return json;
        }
    }

    private BusinessQuestions() {
    }

    /**
     * Reads questions from a story file (Markdown with a brief) or a questions file (YAML or JSON).
     *
     * @param file the file
     * @return its questions, possibly none
     * @throws IllegalArgumentException if the file is missing, unreadable or malformed: the message names the file
     *     (and the line, where there is one) and says how to fix it
     */
    public static List<Question> load(Path file) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("The questions file " + file + " does not exist; pass a story file"
                    + " (.md) with an ORCHESTRATOR_BRIEF block or a questions file (.yaml, .json)");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("The questions file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the questions file " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
            return fromList(text, file.toString());
        }
        return fromBrief(text, file.toString());
    }

    /**
     * The questions of a story's brief.
     *
     * @param markdown the story's text
     * @param source where it comes from, for messages
     * @return the questions, none if there is no brief or it asks none
     * @throws IllegalArgumentException if the brief is not closed, or two questions have one id
     */
    public static List<Question> fromBrief(String markdown, String source) {
        String[] lines = markdown.split("\r?\n", -1);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.length; i++) {
            if (start < 0 && lines[i].contains(BRIEF_START)) {
                start = i;
            } else if (start >= 0 && lines[i].contains(BRIEF_END)) {
                end = i;
                break;
            }
        }
        if (start < 0) {
            return List.of();
        }
        if (end < 0) {
            throw new IllegalArgumentException(source + ":" + (start + 1) + ": the brief opened here is never closed;"
                    + " add " + BRIEF_END + " after it");
        }
        List<Question> questions = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        boolean inList = false;
        for (int i = start + 1; i < end; i++) {
            String line = lines[i];
            if (HEADER.matcher(line).matches()) {
                inList = true;
                continue;
            }
            if (!inList) {
                continue;
            }
            if (line.isBlank() && !questions.isEmpty() || line.trim().startsWith("#")) {
                inList = false;
                continue;
            }
            Matcher item = ITEM.matcher(line);
            if (!item.matches()) {
                continue;
            }
            String text = item.group(1);
            String id = "q" + (questions.size() + 1);
            Matcher named = NAMED.matcher(text);
            if (named.matches()) {
                id = named.group(1);
                text = named.group(2);
            }
            List<String> options = List.of();
            Matcher choices = OPTIONS.matcher(text);
            if (choices.matches()) {
                text = choices.group(1) + choices.group(3);
                options = new ArrayList<>();
                for (String option : choices.group(2).split("/")) {
                    if (!option.isBlank()) {
                        options.add(option.trim());
                    }
                }
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": a second question with id '" + id
                        + "'; give each question its own id");
            }
            questions.add(new Question(id, text.trim(), options));
        }
        return List.copyOf(questions);
    }

    private static List<Question> fromList(String text, String source) {
        Object root;
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            root = first == null ? List.of() : Json.read(parser, first);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON: " + e.getMessage());
        }
        if (!(root instanceof List<?> items)) {
            throw new IllegalArgumentException(source + ": must be a list of {id, question, options}, not "
                    + Json.typeName(root));
        }
        List<Question> questions = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String where = source + ": question " + (i + 1);
            if (!(items.get(i) instanceof Map<?, ?> item)) {
                throw new IllegalArgumentException(where + " must be an object {id, question, options}");
            }
            for (Object key : item.keySet()) {
                if (!List.of("id", "question", "options").contains(key)) {
                    throw new IllegalArgumentException(where + ": unknown field '" + key + "' (known: id, question,"
                            + " options)");
                }
            }
            Object id = item.get("id");
            Object question = item.get("question");
            if (!(id instanceof String) || !(question instanceof String)) {
                throw new IllegalArgumentException(where + " needs a text id and a text question");
            }
            List<String> options = new ArrayList<>();
            if (item.get("options") instanceof List<?> choices) {
                for (Object choice : choices) {
                    options.add(String.valueOf(choice));
                }
            } else if (item.get("options") != null) {
                throw new IllegalArgumentException(where + ": options must be a list of texts");
            }
            if (!ids.add((String) id)) {
                throw new IllegalArgumentException(where + ": a second question with id '" + id + "'");
            }
            try {
                questions.add(new Question((String) id, (String) question, options));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(questions);
    }

    /**
     * @param questions the questions
     * @param answers the answers recorded so far (a run's {@code business_answers}), may be null
     * @return the questions without a non-blank answer
     */
    public static List<Question> unanswered(List<Question> questions, Map<?, ?> answers) {
        List<Question> open = new ArrayList<>();
        for (Question question : questions) {
            Object answer = answers == null ? null : answers.get(question.id());
            if (answer == null || String.valueOf(answer).isBlank()) {
                open.add(question);
            }
        }
        return List.copyOf(open);
    }
}
