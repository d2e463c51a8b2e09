-- The first migration of ${{ values.name }}.
create table if not exists events (
  id bigserial primary key,
  created_at timestamptz not null default now()
);
