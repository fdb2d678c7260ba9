package dev.lakehouse.table.parquet;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;

/**
 * One row group of a data file with every page already decompressed and held in memory, so that the thread that
 * read it (and owns the file's codecs) can hand it to another thread to decode. Decompression is the costly part
 * of reading; doing it on the reading threads spreads it over cores.
 *
 * <p>Its pages can be read once: {@link #getPageReader} hands out each column's pages in order.
 */
final class DecodedRowGroup implements PageReadStore {

    private final long rowCount;
    private final long uncompressedBytes;
    private final Map<ColumnDescriptor, ColumnPages> columns = new HashMap<>();

    /**
     * Reads and decompresses every page of {@code source}, a row group just read from its file.
     *
     * @param uncompressedBytes the row group's size in memory, from the footer (what it holds on the heap)
     */
    DecodedRowGroup(PageReadStore source, List<ColumnDescriptor> columnsOfSchema, long uncompressedBytes) {
        this.rowCount = source.getRowCount();
        this.uncompressedBytes = uncompressedBytes;
        for (ColumnDescriptor column : columnsOfSchema) {
            PageReader reader = source.getPageReader(column);
            ArrayDeque<DataPage> pages = new ArrayDeque<>();
            DictionaryPage dictionary = reader.readDictionaryPage();
            for (DataPage page = reader.readPage(); page != null; page = reader.readPage()) {
                pages.add(page);
            }
            columns.put(column, new ColumnPages(dictionary, reader.getTotalValueCount(), pages));
        }
    }

    long uncompressedBytes() {
        return uncompressedBytes;
    }

    @Override
    public PageReader getPageReader(ColumnDescriptor column) {
        ColumnPages pages = columns.get(column);
        if (pages == null) {
            throw new IllegalArgumentException("no column " + column + " in this row group");
        }
        return pages;
    }

    @Override
    public long getRowCount() {
        return rowCount;
    }

    /** One column chunk's pages, handed out in order. */
    private static final class ColumnPages implements PageReader {
        private final DictionaryPage dictionary;
        private final long valueCount;
        private final ArrayDeque<DataPage> pages;

        ColumnPages(DictionaryPage dictionary, long valueCount, ArrayDeque<DataPage> pages) {
            this.dictionary = dictionary;
            this.valueCount = valueCount;
            this.pages = pages;
        }

        @Override
        public DictionaryPage readDictionaryPage() {
            return dictionary;
        }

        @Override
        public long getTotalValueCount() {
            return valueCount;
        }

        @Override
        public DataPage readPage() {
            return pages.poll();
        }
    }
}
