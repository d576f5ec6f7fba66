"""search synonyms kept by staff, seeded with workforce vocabulary

Revision ID: 0004_search_synonyms
Revises: 0003
Create Date: 2026-11-29 00:40:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_search_synonyms'
down_revision = '0003'
branch_labels = None
depends_on = None

# Each line is one group: the abbreviations and everyday words people type, and the words
# institutions write. Staff edit the list at /admin/synonyms; this is only its start.
DEFAULT_GROUPS = [
    "CNA, certified nursing assistant, nursing assistant, nurse aide, nurse assistant",
    "LPN, licensed practical nurse, practical nurse, practical nursing, LVN",
    "RN, registered nurse",
    "EMT, emergency medical technician",
    "paramedic, EMT-P",
    "CDL, commercial driver license, commercial driving, truck driving, truck driver",
    "HVAC, heating ventilation and air conditioning, heating and air conditioning, HVACR",
    "IT, information technology",
    "AI, artificial intelligence",
    "ML, machine learning",
    "GIS, geographic information systems, geospatial",
    "UAS, UAV, drone, unmanned aircraft",
    "CPR, cardiopulmonary resuscitation",
    "PLC, programmable logic controller",
    "CNC, computer numerical control",
    "OSHA, occupational safety and health, workplace safety",
    "ESL, English as a second language, ELL, English language learner",
    "K-12, K12, primary and secondary education",
    "EHR, electronic health records, electronic medical records, EMR",
    "PM, project management",
    "PMP, project management professional",
    "HR, human resources",
    "CPA, certified public accountant",
    "QA, quality assurance",
    "QC, quality control",
    "UX, user experience",
    "UI, user interface",
    "SQL, structured query language",
    "CAD, computer-aided design, computer aided drafting",
    "MA, medical assistant, medical assisting",
    "phlebotomy, blood draw, phlebotomist",
    "pharmacy technician, pharmacy tech, CPhT",
    "dental assistant, dental assisting",
    "coding, programming, software development",
    "medical coding, medical billing and coding, health information coding",
    "cybersecurity, cyber security, information security, infosec",
    "data analytics, data analysis, data analyst",
    "welding, welder",
    "electrician, electrical technology, electrical wiring",
    "mechanic, automotive technology, auto repair",
    "aviation maintenance, aircraft maintenance, airframe and powerplant",
    "early childhood, child care, childcare, preschool",
    "teacher, teaching, educator",
    "supply chain, logistics",
    "entrepreneurship, small business, startup",
    "customer service, client service",
    "bookkeeping, accounting",
    "lineman, line worker, lineworker, power line",
    "behavioral health, mental health",
    "ag, agriculture, agricultural",
    "oil and gas, petroleum, energy industry",
    "Spanish, español",
]


def upgrade():
    table = op.create_table('synonym_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phrases', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(phrases) > 0', name=op.f('ck_synonym_groups_not_empty')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_synonym_groups_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_groups'))
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(table, [{'phrases': g, 'updated_at': now} for g in DEFAULT_GROUPS])


def downgrade():
    op.drop_table('synonym_groups')
