package dev.agentpipeline.stages.evidence;

import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;

/**
 * Parses report files with the JDK's SAX parser, safely: DOCTYPEs are allowed (JaCoCo's reports have one) but no
 * external DTD is loaded and no external entity is resolved (XXE), and the JDK's secure-processing limits bound
 * entity expansion.
 */
final class SafeXml {

    private SafeXml() {
    }

    /**
     * Parses one file.
     *
     * @param file the file
     * @param shownAs how warnings name it (relative to the workspace)
     * @param handler the SAX handler
     * @return null if the file was read, else why it could not be: the file and, for malformed XML, the line
     */
    static String parse(Path file, String shownAs, DefaultHandler handler) {
        try {
            long size = Files.size(file);
            if (size > ReportFiles.MAX_BYTES) {
                return shownAs + ": " + size + " bytes, more than the " + ReportFiles.MAX_BYTES + " read; not read";
            }
            try (InputStream in = Files.newInputStream(file)) {
                InputSource source = new InputSource(in);
                source.setSystemId(file.toUri().toString());
                parser().parse(source, new NoExternals(handler));
            }
            return null;
        } catch (SAXParseException e) {
            return shownAs + ":" + e.getLineNumber() + ": not well-formed XML (" + e.getMessage() + ")";
        } catch (SAXException e) {
            return shownAs + ": " + e.getMessage();
        } catch (IOException e) {
            return shownAs + ": cannot read it (" + e + ")";
        }
    }

    private static SAXParser parser() throws SAXException {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(false);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            return parser;
        } catch (ParserConfigurationException e) {
            throw new SAXException("the JDK's XML parser cannot be configured safely: " + e.getMessage(), e);
        }
    }

    /** Delegates to a handler, and answers every request for an external entity or DTD with nothing. */
    private static final class NoExternals extends DefaultHandler {
        private final DefaultHandler delegate;

        NoExternals(DefaultHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public InputSource resolveEntity(String publicId, String systemId) {
            return new InputSource(new StringReader(""));
        }

        @Override
        public void startElement(String uri, String localName, String qName, org.xml.sax.Attributes attributes)
                throws SAXException {
            delegate.startElement(uri, localName, qName, attributes);
        }

        @Override
        public void endElement(String uri, String localName, String qName) throws SAXException {
            delegate.endElement(uri, localName, qName);
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            delegate.characters(ch, start, length);
        }
    }
}
