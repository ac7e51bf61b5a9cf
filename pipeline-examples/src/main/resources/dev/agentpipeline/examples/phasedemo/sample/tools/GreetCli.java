import demo.Greeting;

/**
 * The sample's command line, which phase 10 runs end to end: greets each argument on a line of its own, and prints
 * {@code rejected: <why>} for a name that {@code greet} refuses.
 *
 * <pre>java -cp build/test-classes:build/classes GreetCli "  Ada   Lovelace " "  "</pre>
 */
public final class GreetCli {

    private GreetCli() {
    }

    public static void main(String[] args) {
        for (String name : args) {
            try {
                System.out.println(Greeting.greet(name));
            } catch (IllegalArgumentException e) {
                System.out.println("rejected: " + e.getMessage());
            }
        }
    }
}
