package demo;

import static demo.Check.equal;

class NamesTest {
    void testTrimsAndCollapsesWhiteSpace() {
        equal("Ada Lovelace", Names.normalize("  Ada \t  Lovelace "));
    }

    void testTreatsNullAsEmpty() {
        equal("", Names.normalize(null));
    }
}
