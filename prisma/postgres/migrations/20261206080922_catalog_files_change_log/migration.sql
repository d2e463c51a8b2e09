-- CreateTable
CREATE TABLE "CatalogFile" (
    "locationKey" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    CONSTRAINT "CatalogFile_pkey" PRIMARY KEY ("locationKey","file")
);

-- CreateTable
CREATE TABLE "CatalogChangeLog" (
    "seq" SERIAL NOT NULL,
    "replica" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "upserted" TEXT NOT NULL,
    "removed" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CatalogChangeLog_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "CatalogChangeLog_createdAt_idx" ON "CatalogChangeLog"("createdAt");

-- AddForeignKey
ALTER TABLE "CatalogFile" ADD CONSTRAINT "CatalogFile_locationKey_fkey" FOREIGN KEY ("locationKey") REFERENCES "Location"("key") ON DELETE CASCADE ON UPDATE CASCADE;

