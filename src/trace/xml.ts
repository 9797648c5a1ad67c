// The one file that imports fast-xml-parser: its parser reads FoundationDB's XML traces (xml-line.ts), its
// builder writes JUnit XML (report/junit.ts).
export { XMLBuilder, XMLParser } from 'fast-xml-parser';
