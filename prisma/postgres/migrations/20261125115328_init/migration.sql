-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Entity" (
    "ref" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "sourceLocation" TEXT NOT NULL,
    "sourceLine" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Entity_pkey" PRIMARY KEY ("ref")
);

-- CreateTable
CREATE TABLE "Relation" (
    "emitterRef" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "target" TEXT NOT NULL,

    CONSTRAINT "Relation_pkey" PRIMARY KEY ("emitterRef","source","type","target")
);

-- CreateTable
CREATE TABLE "Location" (
    "key" TEXT NOT NULL,
    "problems" TEXT NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL,
    "entityCount" INTEGER NOT NULL,

    CONSTRAINT "Location_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ProcessedEvent" (
    "source" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedEvent_pkey" PRIMARY KEY ("source","eventId")
);

-- CreateTable
CREATE TABLE "ConversationRef" (
    "key" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationRef_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "FormState" (
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FormState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatUserLink" (
    "surface" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "catalogRef" TEXT NOT NULL,
    "email" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatUserLink_pkey" PRIMARY KEY ("surface","platformId")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Entity" ADD CONSTRAINT "Entity_locationKey_fkey" FOREIGN KEY ("locationKey") REFERENCES "Location"("key") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Relation" ADD CONSTRAINT "Relation_emitterRef_fkey" FOREIGN KEY ("emitterRef") REFERENCES "Entity"("ref") ON DELETE CASCADE ON UPDATE CASCADE;

