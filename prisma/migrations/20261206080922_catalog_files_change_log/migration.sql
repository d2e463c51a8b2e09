-- CreateTable
CREATE TABLE "CatalogFile" (
    "locationKey" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    PRIMARY KEY ("locationKey", "file"),
    CONSTRAINT "CatalogFile_locationKey_fkey" FOREIGN KEY ("locationKey") REFERENCES "Location" ("key") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CatalogChangeLog" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "replica" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "upserted" TEXT NOT NULL,
    "removed" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "CatalogChangeLog_createdAt_idx" ON "CatalogChangeLog"("createdAt");

