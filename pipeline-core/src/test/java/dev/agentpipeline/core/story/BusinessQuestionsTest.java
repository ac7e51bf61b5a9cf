package dev.agentpipeline.core.story;

import dev.agentpipeline.core.story.BusinessQuestions.Question;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BusinessQuestionsTest {

    @TempDir
    Path dir;

    private static final String STORY = """
            # US001: Checkout

            Some description. Business questions: this line is outside the brief.

            <!-- ORCHESTRATOR_BRIEF_START -->
            Tech: Java 17
            Key files: src/main/java/shop/Checkout.java

            ## Business questions
            - payment: Which payment provider? (Stripe/PayPal/both)
            - Auth flow: JWT or session-based?
            2. How long is a cart kept (days)?

            Notes: not a question.
            - not a question either, the list ended at the blank line
            <!-- ORCHESTRATOR_BRIEF_END -->
            """;

    @Test
    void readsTheQuestionsOfAStorysBriefWithIdsAndOptions() {
        List<Question> questions = BusinessQuestions.fromBrief(STORY, "US001.md");

        assertThat(questions).containsExactly(
                new Question("payment", "Which payment provider?", List.of("Stripe", "PayPal", "both")),
                new Question("q2", "Auth flow: JWT or session-based?", List.of()),
                new Question("q3", "How long is a cart kept (days)?", List.of()));
        assertThat(questions.get(0).toJson()).containsEntry("id", "payment")
                .containsEntry("question", "Which payment provider?");
    }

    @Test
    void aStoryWithoutABriefOrQuestionsAsksNothing() {
        assertThat(BusinessQuestions.fromBrief("# US002\nBusiness questions:\n- outside\n", "x.md")).isEmpty();
        assertThat(BusinessQuestions.fromBrief(BusinessQuestions.BRIEF_START + "\nTech: Go\n"
                + BusinessQuestions.BRIEF_END + "\n", "x.md")).isEmpty();
    }

    @Test
    void anUnclosedBriefAndARepeatedIdAreErrorsWithTheLine() {
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.fromBrief("a\n"
                + BusinessQuestions.BRIEF_START + "\n- x\n", "US001.md"))
                .withMessage("US001.md:2: the brief opened here is never closed; add <!-- ORCHESTRATOR_BRIEF_END -->"
                        + " after it");
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.fromBrief(
                BusinessQuestions.BRIEF_START + "\nBusiness questions:\n- a: one?\n- a: two?\n"
                        + BusinessQuestions.BRIEF_END, "US001.md"))
                .withMessageStartingWith("US001.md:4: a second question with id 'a'");
    }

    @Test
    void loadsStoryFilesAndYamlOrJsonLists() throws Exception {
        Path story = Files.writeString(dir.resolve("US001.md"), STORY);
        Path yaml = Files.writeString(dir.resolve("questions.yaml"), """
                - id: payment
                  question: Which payment provider?
                  options: [Stripe, PayPal]
                - id: retention
                  question: How long is a cart kept?
                """);
        Path json = Files.writeString(dir.resolve("questions.json"), "[{\"id\": \"a\", \"question\": \"A?\"}]");

        assertThat(BusinessQuestions.load(story)).hasSize(3);
        assertThat(BusinessQuestions.load(yaml)).extracting(Question::id).containsExactly("payment", "retention");
        assertThat(BusinessQuestions.load(yaml).get(0).options()).containsExactly("Stripe", "PayPal");
        assertThat(BusinessQuestions.load(json)).containsExactly(new Question("a", "A?", List.of()));
    }

    @Test
    void malformedQuestionFilesAreErrorsThatSayWhereAndWhat() throws Exception {
        Path notAList = Files.writeString(dir.resolve("a.yaml"), "payment: Which?\n");
        Path unknownField = Files.writeString(dir.resolve("b.yaml"), "- {id: a, question: \"A?\", answer: x}\n");
        Path badId = Files.writeString(dir.resolve("c.yaml"), "- {id: Bad Id, question: \"A?\"}\n");
        Path twice = Files.writeString(dir.resolve("d.yaml"), "- {id: a, question: \"A?\"}\n- {id: a, question: \"B?\"}\n");

        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.load(notAList))
                .withMessageContaining("a.yaml: must be a list of {id, question, options}, not object");
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.load(unknownField))
                .withMessageContaining("b.yaml: question 1: unknown field 'answer'");
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.load(badId))
                .withMessageContaining("c.yaml: question 1: A question id must be a lowercase word");
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.load(twice))
                .withMessageContaining("d.yaml: question 2: a second question with id 'a'");
        assertThatIllegalArgumentException().isThrownBy(() -> BusinessQuestions.load(dir.resolve("none.md")))
                .withMessageContaining("does not exist");
    }

    @Test
    void unansweredAreThoseWithoutANonBlankAnswer() {
        List<Question> questions = List.of(new Question("a", "A?", List.of()), new Question("b", "B?", List.of()),
                new Question("c", "C?", List.of()));

        assertThat(BusinessQuestions.unanswered(questions, Map.of("a", "yes", "b", " ")))
                .extracting(Question::id).containsExactly("b", "c");
        assertThat(BusinessQuestions.unanswered(questions, null)).hasSize(3);
    }
}
