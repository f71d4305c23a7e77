package publish

import "github.com/cstoutcomes/outcomes/internal/atomicfile"

// writeDir writes files into a new directory beside dir and renames it to dir, replacing a
// bundle already there, so a reader sees the old bundle or the new one, never a mix. Each
// file and the directories are synced; on error the temporary directory is removed
// (internal/atomicfile.WriteDir).
func writeDir(dir string, files []file) error {
	return atomicfile.WriteDir(dir, func(d *atomicfile.Dir) error {
		for _, f := range files {
			if err := d.WriteFile(f.name, f.data, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}
