-- CreateTable
CREATE TABLE "Entity" (
    "ref" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "sourceLocation" TEXT NOT NULL,
    "sourceLine" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Entity_locationKey_fkey" FOREIGN KEY ("locationKey") REFERENCES "Location" ("key") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Relation" (
    "emitterRef" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "target" TEXT NOT NULL,

    PRIMARY KEY ("emitterRef", "source", "type", "target"),
    CONSTRAINT "Relation_emitterRef_fkey" FOREIGN KEY ("emitterRef") REFERENCES "Entity" ("ref") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Location" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "problems" TEXT NOT NULL,
    "importedAt" DATETIME NOT NULL,
    "entityCount" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "ProcessedEvent" (
    "source" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("source", "eventId")
);

-- CreateTable
CREATE TABLE "ConversationRef" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FormState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ChatUserLink" (
    "surface" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "catalogRef" TEXT NOT NULL,
    "email" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("surface", "platformId")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "Entity_locationKey_idx" ON "Entity"("locationKey");

-- CreateIndex
CREATE INDEX "Entity_kind_namespace_name_idx" ON "Entity"("kind", "namespace", "name");

-- CreateIndex
CREATE INDEX "Relation_source_idx" ON "Relation"("source");

-- CreateIndex
CREATE INDEX "ProcessedEvent_createdAt_idx" ON "ProcessedEvent"("createdAt");

-- CreateIndex
CREATE INDEX "FormState_createdAt_idx" ON "FormState"("createdAt");

-- CreateIndex
CREATE INDEX "ChatUserLink_catalogRef_idx" ON "ChatUserLink"("catalogRef");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

