package demo;

/** Turns a name as people type it into the name the service writes. */
public final class Names {
    private Names() {
    }

    /**
     * @param raw a name as typed, or null
     * @return it trimmed, with runs of white space made one space; "" for null
     */
    public static String normalize(String raw) {
        if (raw == null) {
            return "";
        }
        return raw.trim().replaceAll("\\s+", " ");
    }
}
