import { describe, expect, it } from "vitest";
import { contentVersion, decodeRecord, encodeRecord, type FileRecord } from "./file-memo.ts";

describe("file records", () => {
  it("versions content as git's blob sha1, the version GitHub reports without sending the file", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(contentVersion("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    expect(contentVersion("")).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    expect(contentVersion("é")).not.toBe(contentVersion("e"));
  });

  it("stores and reads back a record", () => {
    const record: FileRecord = {
      file: "file:/srv/cat/a.yaml",
      version: "abc",
      reader: "1/100/2097152",
      reads: [["file:/srv/cat/desc.txt", "!not-found"]],
      documents: [
        { problems: [{ location: "file:/srv/cat/a.yaml", line: 3, message: "bad" }] },
        { ref: "component:default/a", hash: "h", line: 5, lines: { "spec/target": 9 } },
      ],
    };
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });

  it.each([
    ["not JSON", "{"],
    ["null", "null"],
    ["a list", "[]"],
    ["fields of the wrong type", JSON.stringify({ reader: 1, reads: {}, documents: "x" })],
    ["missing documents", JSON.stringify({ reader: "1", reads: [] })],
  ])("reads a damaged stored record (%s) as no record, so the file is parsed", (_, text) => {
    expect(decodeRecord({ file: "file:/a", version: "v", record: text })).toBeUndefined();
  });
});
