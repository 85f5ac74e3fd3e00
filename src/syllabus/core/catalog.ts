// The syllabi shipped in media/syllabi, in the format read by parser.ts.

export interface BuiltinSyllabus {
  readonly id: string;
  /** File name under media/syllabi. */
  readonly file: string;
}

export const BUILTIN_SYLLABI: readonly BuiltinSyllabus[] = [
  // The course syllabus (seed 000): 4 modules, 49 topics, 6 done in the source.
  { id: 'mlops-course', file: 'mlops-course.md' },
  // The course prerequisites (seed 001).
  { id: 'prerequisites', file: 'prerequisites.md' },
  // Modules 9 and 10 on cloud ML (seed 002).
  { id: 'cloud-ml-modules-9-10', file: 'cloud-ml-modules-9-10.md' },
  // The project-management course (seed 004).
  { id: 'managing-ml-projects', file: 'managing-ml-projects.md' },
];

export const DEFAULT_SYLLABUS_ID = 'mlops-course';

export function findBuiltin(id: string | undefined): BuiltinSyllabus {
  return BUILTIN_SYLLABI.find((s) => s.id === id) ?? BUILTIN_SYLLABI.find((s) => s.id === DEFAULT_SYLLABUS_ID)!;
}
